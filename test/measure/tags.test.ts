import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHeadlineTag, isRateTag, orderTags, tagInfo, tagTitle } from '../../src/measure/tags.js';
import { readMetrics } from '../../src/train/metrics.js';
import { train } from '../../src/train/trainer.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-tags-'));

/** One tiny stage of each objective, with the evaluations that log tags. */
function stage(objective: string): Record<string, unknown> {
  const base = { budget: { steps: 2 }, batchSize: 2, schedule: { lr: 1e-3 }, eval: { interval: 2, iters: 2 } };
  if (objective === 'lm') return { ...base, objective, corpus: 'shakespeare' };
  const tasks = { families: ['math/add'], heldOut: ['math/sub'] };
  const rl = { rl: { groupSize: 2, klBeta: 0.1, innerEpochs: 2 } };
  const extra: Record<string, Record<string, unknown>> = { sft: {}, rl, rft: { rft: { samples: 2 } }, mix: { ...rl, rlFraction: 0.5 } };
  return { ...base, objective, tasks, ...extra[objective] };
}

describe('the tag table', () => {
  it('declares every tag that each objective logs', () => {
    const logged = new Set<string>();
    for (const objective of ['lm', 'sft', 'rl', 'rft', 'mix']) {
      const dir = tmp();
      const run = train({ name: `tags-${objective}`, seed: 1, model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 24 }, stages: [stage(objective)] }, { outDir: dir, engine: 'reference' });
      run.engine.dispose();
      for (const r of readMetrics(join(dir, 'metrics.jsonl'))) for (const tag of Object.keys(r.scalars)) logged.add(tag);
    }
    // The objectives' own tags, so the check covers them all.
    for (const t of ['train/loss', 'rl/reward_mean', 'rl/kl', 'rft/pass_rate', 'mix/rl_fraction', 'eval/heldout_acc', 'eval/val_loss']) expect(logged).toContain(t);
    expect([...logged].filter((t) => tagInfo(t) === null)).toEqual([]);
  });

  it('knows which tags are rates in [0, 1]', () => {
    for (const t of ['eval/test_acc', 'eval/heldout_acc', 'eval/train_score', 'rl/score_mean', 'rl/frac_zero_std_groups']) expect(isRateTag(t), t).toBe(true);
    // The ICL score is a loss difference, negative when the context helps, though its name ends in _score.
    for (const t of ['eval/icl_score', 'eval/icl_score_2', 'eval/icl_loss_k4', 'train/loss', 'rl/reward_mean', 'eval/val_loss', 'my/own_tag']) expect(isRateTag(t), t).toBe(false);
    expect(tagInfo('eval/icl_loss_k8_2')?.label).toBe('answer loss with 8 demonstrations');
    expect(tagInfo('train/loss')?.better).toBe('lower');
  });

  it('titles, orders and picks headline tags for the dashboard', () => {
    expect(tagTitle('rl/kl')).toBe('KL to the reference (rl/kl)');
    expect(tagTitle('my/own_tag')).toBe('my/own_tag');
    expect(orderTags(['perf/tok_s', 'train/loss', 'rl/kl', 'rl/reward_mean', 'eval/test_score'])).toEqual(['rl/reward_mean', 'rl/kl', 'train/loss', 'eval/test_score', 'perf/tok_s']);
    expect(['train/loss', 'rl/reward_mean', 'eval/anything', 'opt/lr', 'rl/kl'].filter(isHeadlineTag)).toEqual(['train/loss', 'rl/reward_mean', 'eval/anything']);
  });
});
