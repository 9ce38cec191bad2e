/** The playground's training session (on the reference engine, as a page without WebAssembly runs it). */
import { describe, expect, it } from 'vitest';
import { Runner, type FromWorker } from '../../src/playground/runner.js';
import { PlaygroundSession } from '../../src/playground/session.js';
import { adjust, DEFAULTS, MIX, type PlaygroundSettings } from '../../src/playground/settings.js';

const reference = { prefer: 'reference' as const };
const small = { ...DEFAULTS, dModel: 16, batch: 8 };

async function losses(settings: PlaygroundSettings, steps: number): Promise<number[]> {
  const session = await PlaygroundSession.create(settings, reference);
  return Array.from({ length: steps }, () => session.trainStep().loss);
}

describe('playground session', () => {
  it('one setting gives one run, step for step; another seed another', async () => {
    const a = await losses(small, 5);
    expect(await losses(small, 5)).toEqual(a);
    expect(await losses({ ...small, seed: 2 }, 5)).not.toEqual(a);
  });

  it('the loss falls with the defaults, and evaluation scores training and unseen instances', async () => {
    const session = await PlaygroundSession.create(DEFAULTS, reference);
    const l = Array.from({ length: 40 }, () => session.trainStep().loss);
    expect(l[39]).toBeLessThan(l[0] - 1);
    const point = session.evaluate();
    expect(point).toMatchObject({ step: 40, train: expect.any(Number), test: expect.any(Number) });
    expect(session.tokensPerSecond()).toBeGreaterThan(0);
    expect(session.samples()).toHaveLength(4);
    expect(session.iclCurve()!.map((r) => r.k)).toEqual([0, 1, 2]);
  });

  it('every objective trains, rl and mix with a reward; a mix with held-out families scores them', async () => {
    for (const objective of ['lm', 'sft', 'rl', 'mix'] as const) {
      const session = await PlaygroundSession.create({ ...small, objective }, reference);
      const point = session.trainStep();
      expect(Number.isFinite(point.loss), objective).toBe(true);
      expect(point.reward !== undefined, objective).toBe(objective === 'rl' || objective === 'mix');
    }
    const mix = adjust({ ...small, family: MIX, context: 32, heldOut: ['math/add'] }).settings;
    const session = await PlaygroundSession.create(mix, reference);
    session.trainStep();
    expect(session.evaluate().heldOut).toEqual(expect.any(Number));
    expect(session.iclCurve()).toBeDefined();
  });

  it('the runner answers play, pause and step with progress, and a bad run with an error message', async () => {
    const messages: FromWorker[] = [];
    const runner = new Runner((m) => messages.push(m));
    await runner.handle({ type: 'init', settings: small, engine: reference });
    expect(messages[0]).toMatchObject({ type: 'ready', engine: 'reference' });
    await runner.handle({ type: 'step', steps: 3 });
    await expect.poll(() => messages.filter((m) => m.type === 'progress').at(-1)).toMatchObject({ step: 3, running: false });
    const broken = new Runner((m) => messages.push(m));
    await broken.handle({ type: 'init', settings: { ...small, family: 'no/such' }, engine: reference });
    expect(messages.at(-1)).toMatchObject({ type: 'error' });
  });
});
