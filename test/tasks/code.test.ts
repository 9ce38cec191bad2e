/** The code sandbox and the code families. */
import { describe, expect, it } from 'vitest';
import { SandboxError, parseProgram, runProgram, runStack, tryRun } from '../../src/tasks/code/interpreter.js';
import { getFamily } from '../../src/tasks/registry.js';
import type { Instance } from '../../src/tasks/family.js';
import { sample, score, share } from './helpers.js';

const run = (src: string, inputs: Record<string, number> = {}) => runProgram(src, inputs).output;
const errorKind = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof SandboxError ? err.kind : 'other';
  }
  return null;
};

describe('sandbox language', () => {
  it('follows the usual precedence, with comparisons giving 1 or 0', () => {
    expect(run('print 2+3*4')).toBe('14');
    expect(run('print (2+3)*4')).toBe('20');
    expect(run('print 8-3-2')).toBe('3');
    expect(run('print 3<4;print 4<3;print 2+2==4')).toBe('1 0 1');
    expect(run('print -2*-3')).toBe('6');
  });
  it('floors division and modulo like Python', () => {
    expect(run('print 7/2;print -7/2;print -7%3;print 7%-3')).toBe('3 -4 2 -2');
  });
  it('runs if/else and while', () => {
    expect(run('s=0;i=3;while i>0{s=s+i;i=i-1};print s')).toBe('6');
    expect(run('x=5;if x>3{y=1}else{y=2};print y')).toBe('1');
    expect(run('x=1;if x>3{y=1};print x')).toBe('1');
    expect(run('print y', { y: 9 })).toBe('9');
  });
  it('stops infinite loops at the step limit', () => {
    expect(errorKind(() => runProgram('x=0;while 1{x=x+1}', {}, 500))).toBe('steps');
    expect(errorKind(() => runProgram('while 1{print 1}'))).toBe('runtime'); // too many prints comes first
  });
  it('reports syntax and runtime errors as SandboxErrors', () => {
    expect(errorKind(() => run('y=(1+2'))).toBe('syntax');
    expect(errorKind(() => run('print 1 2'))).toBe('syntax');
    expect(errorKind(() => run('print @'))).toBe('syntax');
    expect(errorKind(() => run('while=3'))).toBe('syntax');
    expect(errorKind(() => run('print z'))).toBe('runtime');
    expect(errorKind(() => run('print 1/0'))).toBe('runtime');
    expect(errorKind(() => run('x=999999;print x*x*x'))).toBe('runtime');
    expect(errorKind(() => parseProgram('x=1;'.repeat(300)))).toBe('syntax'); // longer than the sandbox reads
    expect(tryRun('print 1/0')).toBeNull();
  });
});

describe('stack machine', () => {
  it('runs every word', () => {
    expect(runStack('3 4 + 2 *')).toEqual([14]);
    expect(runStack('5 dup 1 -')).toEqual([5, 4]);
    expect(runStack('1 2 swap')).toEqual([2, 1]);
    expect(runStack('1 2 over')).toEqual([1, 2, 1]);
    expect(runStack('1 2 drop')).toEqual([1]);
  });
  it('rejects underflow and unknown words', () => {
    expect(errorKind(() => runStack('1 +'))).toBe('runtime');
    expect(errorKind(() => runStack('1 2 pow'))).toBe('syntax');
  });
});

describe('code/trace', () => {
  it('answers are what the sandbox prints; harder levels branch and loop', () => {
    for (const i of sample('code/trace', 5, 100)) expect(run(i.prompt)).toBe(i.answer);
    expect(share(sample('code/trace', 3, 50), (i) => i.prompt.includes('if '))).toBe(1);
    expect(share(sample('code/trace', 4, 50), (i) => i.prompt.includes('while '))).toBe(1);
    expect(share(sample('code/trace', 1, 50), (i) => /if|while/.test(i.prompt))).toBe(0);
  });
});

describe('code/stack', () => {
  it('answers the final stack, bottom first', () => {
    for (const i of sample('code/stack', 4, 100)) expect(i.answer).toBe(runStack(i.prompt).join(' '));
    expect(sample('code/stack', 3, 200).some((i) => i.answer.includes(' '))).toBe(true);
  });
});

describe('code/complete', () => {
  const family = getFamily('code/complete');
  const instance = (prompt: string, answer: string): Instance => ({
    family: family.name, prompt, answer, meta: {}, key: prompt, split: 'train', difficulty: null,
  });

  it('scores by running the completed program: another correct completion also scores 1', () => {
    const i = instance('x=1:3 x=2:4|y=x+_;print y', '2');
    expect(score(i, '2')).toBe(1);
    expect(score(i, '02')).toBe(1);
    expect(score(i, ' 2 ')).toBe(1);
    expect(score(i, '3')).toBe(0);
    expect(score(i, 'x')).toBe(0);
  });
  it('gives 0 to completions that loop forever (the step budget ends them), print extra or do not parse', () => {
    const i = instance('x=1:3 x=2:4|y=x+_;print y', '2');
    expect(score(i, '2;while 1{y=1}')).toBe(0);
    expect(score(i, '2;print 5')).toBe(0);
    expect(score(i, '2)')).toBe(0);
    expect(score(i, '')).toBe(0);
  });
  it('scores on hidden tests too: a completion that fits only the shown tests scores 0', () => {
    // y = x*x fits x=0:0 and x=1:1 as well as y = x*1 does; every other input tells them apart.
    const i = instance('x=0:0 x=1:1|y=x*_;print y', '1');
    expect(score(i, '1')).toBe(1);
    expect(score(i, 'x')).toBe(0);
  });
  it('takes only what the hole asks for, one value or one operator: replaying the shown tests scores 0', () => {
    // A completion with statements of its own could print the shown outputs by table lookup.
    const replay = (i: Instance) => {
      const tests = i.prompt.split('|')[0].split(' ').map((t) => t.slice(2).split(':'));
      return `0;y=${tests.map(([x, out]) => `(x==${x})*${out}`).join('+')};y=y`;
    };
    const open = sample('code/complete', 1, 400, {}, 'test').filter((i) => i.prompt.endsWith('|y=x+_;print y'));
    expect(open.length).toBeGreaterThan(50);
    expect(replay(open[0])).toMatch(/^0;y=\(x==\d+\)\*\d+\+\(x==\d+\)\*\d+;y=y$/);
    expect(open.filter((i) => score(i, replay(i)) === 1)).toEqual([]);
    const i = instance('x=1:3 x=2:4|y=x+_;print y', '2');
    expect(score(i, '1+1')).toBe(0); // an expression where a value is asked
    expect(score(i, '2;y=y')).toBe(0);
  });
  it('generates instances whose tests rule out every other single-character completion', () => {
    const candidates = [...'0123456789xysi+-*/%'];
    for (const i of sample('code/complete', 4, 60)) {
      expect(score(i, i.answer)).toBe(1);
      for (const c of candidates) if (c !== i.answer) expect(score(i, c), `${i.prompt} with ${c}`).toBe(0);
    }
  });
  it('puts holes in loops and branches at the hardest level', () => {
    const kinds = new Set(sample('code/complete', 4, 100).map((i) => i.meta.kind));
    expect(kinds).toEqual(new Set(['constant', 'operator', 'loop', 'branch']));
  });
});

describe('code/listops', () => {
  /** map/filter over a list, recomputed in JavaScript (level 1 has one operation on non-negative numbers). */
  const js = (body: string) => new Function('x', `return ${body.replace(/==/g, '===').replace(/!=/g, '!==')}`) as (x: number) => number;

  it('maps and filters like JavaScript does on non-negative lists', () => {
    for (const i of sample('code/listops', 1, 100)) {
      const [, op, body, list] = i.prompt.match(/^(map|filter)\((.*),\[(.*)\]\)$/)!;
      const xs = list === '' ? [] : list.split(',').map(Number);
      const out = op === 'map' ? xs.map(js(body)) : xs.filter((x) => Boolean(js(body)(x)));
      expect(i.answer, i.prompt).toBe(`[${out.join(',')}]`);
    }
  });
  it('composes operations and reduces at higher levels; max/min never see an empty list', () => {
    const xs = sample('code/listops', 4, 200);
    expect(share(xs, (i) => /^(sum|max|min)\(/.test(i.prompt))).toBeGreaterThan(0.3);
    expect(share(xs, (i) => (i.prompt.match(/(map|filter)\(/g) ?? []).length >= 2)).toBeGreaterThan(0.5);
    for (const i of xs) expect(i.prompt).not.toMatch(/^(max|min)\(.*\[\]\)+$/);
  });
});
