import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/model/engines.js';
import { generate } from '../../src/model/generate.js';
import { EOS } from '../../src/text/vocab.js';
import type { Instance } from '../../src/tasks/family.js';
import { completionText } from '../../src/rollout/episodes.js';
import type { TaskSource } from '../../src/rollout/source.js';
import type { WeightedBatch } from '../../src/train/objective.js';
import { RftObjective } from '../../src/train/objectives/rft.js';
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
