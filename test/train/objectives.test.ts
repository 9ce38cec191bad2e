import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/model/engines.js';
import { generate } from '../../src/model/generate.js';
import { EOS } from '../../src/text/vocab.js';
import type { Instance } from '../../src/tasks/family.js';
import { completionText } from '../../src/rollout/episodes.js';
import type { TaskSource } from '../../src/rollout/source.js';
import type { WeightedBatch } from '../../src/train/objective.js';
import { RftObjective } from '../../src/train/objectives/rft.js';
import { RlObjective } from '../../src/train/objectives/rl.js';
import { defaultRl, type RlSettings } from '../../src/train/recipe.js';
import { train } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/rng.js';
import { encodePrompt } from '../../src/tasks/sequence.js';

const model = { nLayers: 1, nHeads: 2, dModel: 32, contextLength: 16 };
const compare = { families: ['math/compare'] };

function stage(objective: string, steps: number, extra: Record<string, unknown> = {}) {
  return { objective, tasks: compare, budget: { steps }, batchSize: 8, schedule: { lr: 3e-3, decay: 'constant' }, eval: { interval: 0, iters: 32 }, ...extra };
}

const paramsAfter = (recipe: unknown) => {
  const r = train(recipe, { outDir: null, engine: 'native' });
  const out = Float32Array.from(r.engine.params);
  r.engine.dispose();
  return { params: out, last: r.last };
};

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('task objectives', () => {
  it('mix with rlFraction 0 trains exactly like sft, and 1 exactly like rl', () => {
    const rl = { groupSize: 4, lengthPenalty: 0.05 };
    const sft = paramsAfter({ seed: 3, model, stages: [stage('sft', 4)] });
    const mix0 = paramsAfter({ seed: 3, model, stages: [stage('mix', 4, { rlFraction: 0 })] });
    expect(same(sft.params, mix0.params)).toBe(true);
    const pure = paramsAfter({ seed: 3, model, stages: [stage('rl', 3, { rl })] });
    const mix1 = paramsAfter({ seed: 3, model, stages: [stage('mix', 3, { rlFraction: 1, rl })] });
    expect(same(pure.params, mix1.params)).toBe(true);
    const half = paramsAfter({ seed: 3, model, stages: [stage('mix', 3, { rlFraction: 0.5, rl })] });
    expect(same(half.params, pure.params) || same(half.params, sft.params)).toBe(false);
    expect(half.last['mix/rl_fraction']).toBe(0.5);
  });

  it('rl raises the mean reward on an easy family from a weak sft start', () => {
    // A short sft warm start learns the format and part of the rule; rl then lifts the sampled reward.
    const recipe = {
      seed: 7,
      model: { nLayers: 2, nHeads: 4, dModel: 64, contextLength: 16 },
      stages: [
        stage('sft', 60, { batchSize: 32 }),
        stage('rl', 150, { batchSize: 8, rl: { groupSize: 8 }, schedule: { lr: 3e-4, decay: 'constant' } }),
      ],
    };
    const rewards: number[] = [];
    const r = train(recipe, { outDir: null, engine: 'native', onStep: (rec, info) => info.stage === 1 && rewards.push(rec.scalars['rl/reward_mean']) });
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = meanOf(rewards.slice(0, 25));
    const last = meanOf(rewards.slice(-25));
    expect(first).toBeLessThan(0.7); // the sft start is weak
    expect(last).toBeGreaterThan(first + 0.15);
    r.engine.dispose();
  });

  it('a large KL beta keeps the policy closer to its reference than beta 0', () => {
    const warm = stage('sft', 15);
    const rlStage = (klBeta: number) => stage('rl', 20, { rl: { groupSize: 4, klBeta, lengthPenalty: 0.05 }, schedule: { lr: 5e-3, decay: 'constant' } });
    const start = paramsAfter({ seed: 11, model, stages: [warm] }).params;
    const free = paramsAfter({ seed: 11, model, stages: [warm, rlStage(0)] }).params;
    const tied = paramsAfter({ seed: 11, model, stages: [warm, rlStage(2)] }).params;
    // KL(policy || reference) estimated on the policy's own samples.
    const klTo = (policyParams: Float32Array) => {
      const config = { ...model, vocabSize: 100, mlpRatio: 4 };
      const policy = createEngine('native', config, Float32Array.from(policyParams));
      const ref = createEngine('native', config, Float32Array.from(start));
      const prompts = Array.from({ length: 32 }, (_, i) => encodePrompt({ prompt: `${i % 10}?${(i * 7) % 10}` }));
      const outs = generate(policy, prompts, { maxNewTokens: 4, temperature: 1, stopToken: EOS }, new Rng(1));
      let kl = 0;
      let n = 0;
      outs.forEach((o, i) => {
        const seq = Int32Array.from([...prompts[i], ...o]);
        const T = seq.length - 1;
        const p = policy.logprobs(seq, 1, T);
        const q = ref.logprobs(seq, 1, T);
        for (let t = prompts[i].length - 1; t < T; t++) {
          kl += p[t] - q[t];
          n++;
        }
      });
      policy.dispose();
      ref.dispose();
      return kl / n;
    };
    expect(klTo(tied)).toBeLessThan(klTo(free));
  });
});

describe('rl, piece by piece', () => {
  const config = { vocabSize: 100, contextLength: 16, dModel: 16, nHeads: 2, nLayers: 1, mlpRatio: 4 };
  const sampling = { temperature: 1, topK: 0 };
  /** Prompts q0, q1, ...; prompts listed in `constant` score 1 whatever the answer, the others 1 for an odd-length answer. */
  function source(constant: (n: number) => boolean = () => false) {
    let index = 0;
    const scores: number[] = [];
    const src: TaskSource = {
      next: () => {
        const n = index++;
        return { family: 'test/odd', prompt: `q${n % 10}`, answer: 'x', key: String(n), split: 'train', difficulty: 1, meta: { n } } as Instance;
      },
      draw() {
        return this.next(new Rng(0));
      },
      score(output, instance) {
        const s = constant(instance.meta.n as number) ? 1 : output.length % 2;
        scores.push(s);
        return s;
      },
      maxAnswerLength: () => 5,
    };
    return { src, scores };
  }
  const rlWith = (src: TaskSource, settings: Partial<RlSettings>) => new RlObjective(src, 4, { ...defaultRl, ...settings }, sampling, null);

  it('PPO clipping zeroes the weight where the ratio leaves [1 - eps, 1 + eps] in the advantage\'s favour, and only there', () => {
    // Four one-token rows: advantages +1, +1, -1, -1 and ratios 1.5, 1.1, 0.5, 1.5.
    const rollout = { batch: { tokens: new Int32Array(8), weights: Float32Array.of(1, 1, 1, 1), B: 4, T: 1 }, advantages: Float32Array.of(1, 1, -1, -1), completionTokens: 4, scalars: {}, prompts: 1 };
    const sampled = Float32Array.of(-1, -1, -1, -1);
    const current = Float32Array.from([1.5, 1.1, 0.5, 1.5].map((r) => -1 + Math.log(r)));
    const w = (clip: number) => Array.from(rlWith(source().src, { clip }).weights(rollout, current, sampled, null));
    const close = (got: number[], want: number[]) => got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
    close(w(0.2), [0, 1.1, 0, -1.5]); // a ratio past 1 + eps with A > 0 or below 1 - eps with A < 0 gets no gradient
    close(w(0), [1.5, 1.1, -0.5, -1.5]); // clip 0: the plain importance-weighted advantage
    close(Array.from(rlWith(source().src, {}).weights(rollout, null, null, null)), [1, 1, -1, -1]); // first epoch: A itself
  });

  it('advantage mean subtracts the group mean; grpo also divides by the group std', () => {
    const advantagesOf = (advantage: 'mean' | 'grpo') => {
      const { src, scores } = source();
      const engine = createEngine('native', config, 5);
      const rollout = rlWith(src, { advantage, groupSize: 4 }).rollout(engine, new Rng(1), new Rng(2), 4)!;
      engine.dispose();
      return { got: Array.from(rollout.advantages), scores };
    };
    const mean = advantagesOf('mean');
    const grpo = advantagesOf('grpo');
    expect(grpo.scores).toEqual(mean.scores); // the same samples
    expect(mean.got).toHaveLength(16);
    let spread = 0;
    for (let g = 0; g < 4; g++) {
      const group = mean.scores.slice(4 * g, 4 * g + 4);
      const m = group.reduce((a, b) => a + b, 0) / 4;
      const sd = Math.sqrt(group.reduce((a, b) => a + (b - m) ** 2, 0) / 4);
      if (sd > 0) spread++;
      group.forEach((r, i) => {
        expect(mean.got[4 * g + i]).toBeCloseTo(r - m, 6);
        expect(grpo.got[4 * g + i]).toBeCloseTo(sd > 0 ? (r - m) / (sd + 1e-6) : 0, 5);
      });
    }
    expect(spread).toBeGreaterThan(0); // some group had both scores, so mean and grpo differ
  });

  it('dropZeroVarianceGroups leaves out the groups whose rewards are all equal, and only those', () => {
    // Prompts 0 and 2 score 1 whatever is sampled: their groups carry no signal.
    const rows = (drop: boolean) => {
      const { src, scores } = source((n) => n % 2 === 0);
      const engine = createEngine('native', config, 5);
      const rollout = rlWith(src, { groupSize: 4, dropZeroVarianceGroups: drop }).rollout(engine, new Rng(1), new Rng(2), 4);
      engine.dispose();
      const varied = [0, 1, 2, 3].filter((g) => new Set(scores.slice(4 * g, 4 * g + 4)).size > 1);
      return { B: rollout?.batch.B ?? 0, varied, zero: rollout?.scalars['rl/frac_zero_std_groups'] };
    };
    const kept = rows(false);
    expect(kept.B).toBe(16);
    const dropped = rows(true);
    expect(dropped.varied).not.toContain(0);
    expect(dropped.varied).not.toContain(2);
    expect(dropped.B).toBe(4 * dropped.varied.length);
    expect(dropped.zero).toBe(1 - dropped.varied.length / 4);
  });

  it('innerEpochs > 1 updates once per epoch, each time with the ratio to the log-probs measured before the first', () => {
    const { src } = source();
    const engine = createEngine('native', config, 5);
    const rl = rlWith(src, { groupSize: 4, innerEpochs: 3, clip: 0.2 });
    const rollout = rl.rollout(engine, new Rng(1), new Rng(2), 4)!;
    const { tokens, B, T } = rollout.batch;
    const before = engine.logprobs(tokens, B, T);
    const mask = rollout.batch.weights;
    const seen: { weights: Float32Array; expected: number[] }[] = [];
    const ctx = {
      engine, stageStep: 0, rng: new Rng(3), sampleRng: new Rng(4),
      update(batch: WeightedBatch) {
        // What the weights must be: A * (p_now / p_sampled), 0 where the clip bites.
        const now = engine.logprobs(tokens, B, T);
        const expected = Array.from(mask, (m, i) => {
          if (m === 0) return 0;
          const A = rollout.advantages[Math.floor(i / T)];
          const ratio = Math.exp(now[i] - before[i]);
          return (A > 0 && ratio > 1.2) || (A < 0 && ratio < 0.8) ? 0 : A * ratio;
        });
        seen.push({ weights: Float32Array.from(batch.weights), expected });
        const result = engine.forwardBackward(batch.tokens, batch.weights, batch.B, batch.T, batch.normalizer);
        engine.step({ lr: 0.05, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0 });
        return { ...result, gradNorm: 0 };
      },
    };
    rl.train(ctx, rollout);
    expect(seen).toHaveLength(3);
    seen.forEach(({ weights, expected }, epoch) => weights.forEach((w, i) => expect(w, `epoch ${epoch} token ${i}`).toBeCloseTo(expected[i], 4)));
    // The first epoch's ratio is 1 (weights = A); the large steps then move the ratio, and past the clip.
    const moved = seen.slice(1).flatMap((e) => Array.from(e.weights).filter((w, i) => mask[i] !== 0 && Math.abs(w - rollout.advantages[Math.floor(i / T)]) > 1e-3));
    expect(moved.length).toBeGreaterThan(0);
    expect(seen[2].expected.some((e, i) => mask[i] !== 0 && e === 0 && rollout.advantages[Math.floor(i / T)] !== 0)).toBe(true);
    engine.dispose();
  });
});

describe('rft', () => {
  it('trains only on completions that passed the verifier', () => {
    // A verifier that passes answers of odd length: about half of random completions.
    let index = 0;
    const source: TaskSource = {
      next: () => ({ family: 'test/odd', prompt: `q${index++ % 10}`, answer: 'x', key: String(index), split: 'train', difficulty: 1, meta: {} }) as Instance,
      draw() {
        return this.next(new Rng(0));
      },
      score: (output) => (output.length % 2 === 1 ? 1 : 0),
      maxAnswerLength: () => 6,
    };
    const engine = createEngine('native', { vocabSize: 100, contextLength: 16, dModel: 16, nHeads: 2, nLayers: 1, mlpRatio: 4 }, 5);
    const rft = new RftObjective(source, 4, 6, 1, { temperature: 1, topK: 0 }, undefined);
    const trained: WeightedBatch[] = [];
    const ctx = {
      engine,
      stageStep: 0,
      rng: new Rng(1),
      sampleRng: new Rng(2),
      update(batch: WeightedBatch) {
        trained.push(batch);
        return { loss: 0, gradNorm: 0, logprobs: new Float32Array(batch.B * batch.T) };
      },
    };
    let kept = 0;
    for (let i = 0; i < 5; i++) kept += rft.step(ctx).scalars['rft/kept'];
    expect(kept).toBeGreaterThan(0);
    let rows = 0;
    for (const b of trained) {
      for (let r = 0; r < b.B; r++) {
        const row = Array.from(b.tokens.subarray(r * (b.T + 1), (r + 1) * (b.T + 1)));
        const w = Array.from(b.weights.subarray(r * b.T, (r + 1) * b.T));
        const completion = row.slice(w.findIndex((x) => x !== 0) + 1, w.lastIndexOf(1) + 2);
        expect(completionText(completion).length % 2).toBe(1);
        rows++;
      }
    }
    expect(rows).toBe(kept);
    engine.dispose();
  });
});

describe('lm split loss', () => {
  it('scores every token of a split once, the same whatever the batching, and matches a one-window forward', async () => {
    const { makeCorpus } = await import('../../src/text/corpus.js');
    const { splitLoss } = await import('../../src/train/objectives/lm.js');
    const text = 'To be, or not to be, that is the question:\nWhether tis nobler in the mind to suffer\n'.repeat(3);
    const corpus = makeCorpus('hamlet', text);
    const { parseGPTConfig } = await import('../../src/model/config.js');
    const engine = createEngine('native', parseGPTConfig({ vocabSize: 100, nLayers: 1, nHeads: 2, dModel: 32, contextLength: 64 }), 5);
    const val = corpus.val; // windows of 8 leave a shorter last one
    expect((val.length - 1) % 8).not.toBe(0);
    const batched = splitLoss(engine, corpus, 'val', 8);
    expect(splitLoss(engine, corpus, 'val', 8, 1)).toBeCloseTo(batched, 5);
    // One window as long as the split: the mean of a single forward pass over it.
    const whole = splitLoss(engine, corpus, 'val', val.length - 1);
    const lp = engine.logprobs(Int32Array.from(val), 1, val.length - 1);
    expect(whole).toBeCloseTo(-lp.reduce((a, b) => a + b, 0) / lp.length, 5);
    // Windows restart the context, so a shorter window loses information: untrained, the two still differ.
    expect(Math.abs(batched - whole)).toBeGreaterThan(0);
    engine.dispose();
  });
});
