/**
 * `study compare` on two run stores written through the real run-directory and store APIs (no training): a quick
 * run on seeds 11-13 and a full run on seeds 21-23 of one study, whose claims line up and whose verdicts flip or
 * change as their synthetic scores say.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareText, readSummary } from '../../src/cli/study-compare.js';
import { agreementOf, compareRuns } from '../../src/report/compare.js';
import { startStudy, writeRunReport } from '../../src/study/runner.js';
import { parseStudy } from '../../src/study/schema.js';

const stage = { objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 5 }, batchSize: 4 };
const claim = (text: string, a: number, b: number) => ({ text, label: 'accuracy', measure: { eval: { split: 'test', metric: 'exact' } }, axis: 'B', a, b, direction: 'increase' });
const study = parseStudy({
  name: 'toy',
  calibrationSeeds: 5,
  seeds: [21, 22, 23],
  quick: { seeds: [11, 12, 13] },
  recipe: { model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 }, stages: [stage] },
  sweep: { axes: { 'stages[0].batchSize': { name: 'B', values: [4, 8, 16] } } },
  evaluations: [{ kind: 'splits', n: 8 }],
  claims: [claim('Larger batches help', 4, 16), claim('Medium batches help', 4, 8)],
});

/** Seed-to-seed variation that differs between arms (a constant shift would have zero variance: no verdict). */
const noise = (b: number, seed: number) => ((seed * 7 + b * 3) % 5) * 0.01;

/** A run of `mode` whose trials are finished with test accuracy score(B, seed). */
async function syntheticRun(root: string, mode: 'quick' | 'full', score: (b: number, seed: number) => number): Promise<string> {
  const dir = join(root, `toy-${mode}`);
  const opened = startStudy(study, mode, dir, 1);
  for (let t = opened.store.claimNextTrial(opened.run.id); t; t = opened.store.claimNextTrial(opened.run.id)) {
    const b = Number(t.axes.B);
    opened.store.logEval(t.key, [{ step: 5, suite: 'splits', split: 'test', stage: null, x: null, family: '*', domain: '*', metric: 'exact', value: score(b, t.seed), n: 8 }]);
    opened.store.markTrialDone(t.key);
  }
  await writeRunReport(opened);
  opened.lock.release();
  opened.store.close();
  return dir;
}

describe('study compare', () => {
  it('lines up the claims of a quick and a full run and says which verdicts flip between seed sets', async () => {
    const root = mkdtempSync(join(tmpdir(), 'continuum-compare-'));
    // Quick: B = 16 clearly above B = 4, B = 8 the same as B = 4. Full: B = 16 clearly below, B = 8 clearly above.
    const quick = await syntheticRun(root, 'quick', (b, s) => (b === 16 ? 0.8 : 0.3) + noise(b, s));
    const full = await syntheticRun(root, 'full', (b, s) => (b === 16 ? 0.1 : b === 8 ? 0.7 : 0.3) + noise(b, s));
    const c = compareRuns(readSummary(quick), readSummary(join(full, 'summary.json')));
    expect(c.a).toMatchObject({ run: 'toy-quick', mode: 'quick', seeds: [11, 12, 13], calibrationSeeds: [1, 2, 3, 4, 5] });
    expect(c.b).toMatchObject({ run: 'toy-full', mode: 'full', seeds: [21, 22, 23] });
    expect(c.sharedSeeds).toEqual([]);
    expect(c.claims.map((x) => [x.text, x.a?.verdict, x.b?.verdict, x.agreement])).toEqual([
      ['Larger batches help', 'held', 'not_held', 'flipped'],
      ['Medium batches help', 'inconclusive', 'held', 'changed'],
    ]);
    expect(c.claims[0].a!.difference.mean).toBeCloseTo(0.5 - 0.02 / 3, 12);
    expect(c.claims[0].b!.difference.mean).toBeCloseTo(-0.2 - 0.02 / 3, 12);
    expect([c.flipped, c.changed]).toEqual([1, 1]);
    const text = compareText(c);
    expect(text).toContain('A = toy-quick: toy, quick mode, seeds 11, 12, 13 (tuned on 1, 2, 3, 4, 5)');
    expect(text).toMatch(/1\. Larger batches help: 16 − 4\n  A: held, difference 0\.493 \[[^\n]*\n  B: not held, difference -0\.207 [^\n]*\n  -> THE VERDICT FLIPS between seed sets/);
    expect(text).toContain('2 claim(s): 1 flip, 1 change to or from inconclusive.');
  });

  it('the command prints the same comparison as JSON, and refuses a directory without a summary', async () => {
    const root = mkdtempSync(join(tmpdir(), 'continuum-compare-'));
    const quick = await syntheticRun(root, 'quick', (b, s) => (b === 16 ? 0.8 : 0.3) + noise(b, s));
    const full = await syntheticRun(root, 'full', (b, s) => (b === 16 ? 0.8 : 0.3) + noise(b, s));
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');
    const r = spawnSync(process.execPath, [bin, 'study', 'compare', quick, full, '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.claims).toHaveLength(2);
    expect(json.claims[0]).toMatchObject({ text: 'Larger batches help', agreement: 'same', a: { verdict: 'held' }, b: { verdict: 'held' } });
    expect(json.flipped).toBe(0);
    const missing = spawnSync(process.execPath, [bin, 'study', 'compare', root, full], { encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('summary.json does not exist');
  });

  it('agreement: same, changed (to or from inconclusive), flipped (held against not held), missing', () => {
    expect(agreementOf('held', 'held')).toBe('same');
    expect(agreementOf('held', 'inconclusive')).toBe('changed');
    expect(agreementOf('inconclusive', 'not_held')).toBe('changed');
    expect(agreementOf('not_held', 'held')).toBe('flipped');
    expect(agreementOf(null, 'held')).toBe('missing');
  });
});
