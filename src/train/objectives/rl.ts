/**
 * `rl`: policy gradient on the verifier's reward, as per-token weights on sampled completions.
 *
 * For each prompt, sample a group of G completions; reward r = score - lengthPenalty * length;
 * advantage A = r - mean(group) (REINFORCE with a group baseline), divided by std(group) for GRPO.
 * Every completion token gets weight A, so the weighted log-likelihood's gradient is the policy gradient.
 * Over several inner epochs on the same samples, PPO's clipped ratio r_t = p_now / p_sampled turns into the
 * weight A * r_t where the clip is inactive and 0 where it bites. A KL penalty to a frozen reference
 * (k3 estimator: exp(q - p) - (q - p) - 1 with p, q the log-probs of the policy and the reference) adds
 * beta * (exp(q - p) - 1) to each token's weight: its gradient, written as a weight on log p.
 */
import type { Engine } from '../../model/engine.js';
import { episodeOf, weightedTokens } from '../../rollout/episodes.js';
import { rollOut, type RolloutSampling } from '../../rollout/sample.js';
import type { TaskSource } from '../../rollout/source.js';
import { mean } from '../../stats/stats.js';
import type { Instance } from '../../tasks/family.js';
import type { Rng } from '../../util/rng.js';
import type { Scalars } from '../metrics.js';
import { packSequences, type Objective, type StepContext, type StepOutcome, type WeightedBatch } from '../objective.js';
import type { RlSettings } from '../recipe.js';
import type { TaskEvaluator } from './task-eval.js';

/** Sampled completions for one step, with their per-token advantages. */
export interface RlBatch {
  batch: WeightedBatch; // weights = 1 on completion tokens (the mask), 0 elsewhere
  /** Advantage of each row, [B]. */
  advantages: Float32Array;
  /** Completion tokens that carry a weight (the normalizer). */
  completionTokens: number;
  scalars: Scalars;
  prompts: number;
}

export class RlObjective implements Objective {
  readonly name = 'rl';
  saveState = () => this.source.saveState?.() ?? null;
  loadState = (state: unknown) => this.source.loadState?.(state);

  constructor(
    private readonly source: TaskSource,
    private readonly batchSize: number,
    private readonly settings: RlSettings,
    private readonly sampling: RolloutSampling,
    private readonly reference: Engine | null,
    readonly evaluate?: TaskEvaluator,
  ) {}

  /** Samples G completions for each of `prompts` instances and scores them. Null when every group was dropped. */
  rollout(engine: Engine, rng: Rng, sampleRng: Rng, prompts: number): RlBatch | null {
    const { groupSize: G, advantage, lengthPenalty, dropZeroVarianceGroups } = this.settings;
    const instances: Instance[] = Array.from({ length: prompts }, () => this.source.next(rng));
    const t0 = performance.now();
    const sampled = rollOut(engine, this.source, instances, G, this.sampling, sampleRng);
    const generateSeconds = (performance.now() - t0) / 1000;
    const { scores } = sampled;
    scores.forEach((s, i) => this.source.learn?.(instances[Math.floor(i / G)], s));
    const rewards = scores.map((s, i) => s - lengthPenalty * sampled.completions[i].length);
    const advantages: number[] = [];
    const keep: boolean[] = [];
    let zeroStdGroups = 0;
    for (let p = 0; p < prompts; p++) {
      const group = rewards.slice(p * G, (p + 1) * G);
      const groupMean = mean(group);
      const std = Math.sqrt(group.reduce((a, b) => a + (b - groupMean) ** 2, 0) / G);
      if (std < 1e-8) zeroStdGroups++;
      for (const r of group) {
        advantages.push(advantage === 'grpo' ? (std < 1e-8 ? 0 : (r - groupMean) / (std + 1e-6)) : r - groupMean);
        keep.push(!(dropZeroVarianceGroups && std < 1e-8));
      }
    }
    const lengths = sampled.completions.map((c) => c.length);
    const scalars: Scalars = {
      'rl/reward_mean': mean(rewards),
      'rl/reward_std': Math.sqrt(mean(rewards.map((r) => (r - mean(rewards)) ** 2))),
      'rl/score_mean': mean(scores),
      'rl/frac_zero_std_groups': zeroStdGroups / prompts,
      'rl/completion_len': mean(lengths),
      // Where an rl step's time goes: sampling (generation with the KV cache) vs the updates (train()).
      'perf/generate_s': generateSeconds,
    };
    const rows = sampled.completions.map((c, i) => i).filter((i) => keep[i] && sampled.completions[i].length > 0);
    if (rows.length === 0) return null;
    const episodes = rows.map((i) => episodeOf(sampled.prompts[i], sampled.completions[i]));
    const batch = packSequences(episodes);
    return {
      batch,
      advantages: Float32Array.from(rows.map((i) => advantages[i])),
      completionTokens: weightedTokens(episodes),
      scalars,
      prompts,
    };
  }

  /**
   * Per-token weights for one update: mask * (PPO-clipped advantage + KL term).
   * `current` and `sampled` are log-probs [B, T] under the policy now and when sampling; `ref` under the reference.
   */
  weights(rollout: RlBatch, current: Float32Array | null, sampled: Float32Array | null, ref: Float32Array | null): Float32Array {
    const { B, T, weights: mask } = rollout.batch;
    const eps = this.settings.clip;
    const beta = this.settings.klBeta;
    const w = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      const A = rollout.advantages[b];
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (mask[i] === 0) continue;
        let weight = A;
        if (current && sampled) {
          const ratio = Math.exp(current[i] - sampled[i]);
          const clipped = eps > 0 && ((A > 0 && ratio > 1 + eps) || (A < 0 && ratio < 1 - eps));
          weight = clipped ? 0 : A * ratio;
        }
        if (beta > 0 && ref && current) weight += beta * (Math.exp(ref[i] - current[i]) - 1);
        w[i] = weight;
      }
    }
    return w;
  }

  step(ctx: StepContext): StepOutcome {
    this.source.setStep?.(ctx.stageStep);
    const rollout = this.rollout(ctx.engine, ctx.rng, ctx.sampleRng, this.batchSize);
    if (!rollout) return { scalars: this.emptyScalars(), tokens: 0, episodes: this.batchSize };
    const scalars = { ...rollout.scalars, ...this.train(ctx, rollout) };
    return { scalars, tokens: rollout.completionTokens, episodes: rollout.prompts };
  }

  /** The inner epochs on one rollout; `packing` makes each update's batch from the rl rows' weights. */
  train(ctx: StepContext, rollout: RlBatch, packing: UpdatePacking = alone(rollout)): Scalars {
    const { batch } = rollout;
    const needSampled = this.settings.innerEpochs > 1 || this.settings.klBeta > 0;
    // Log-probs when sampling: taken before the first update (the first update's own log-probs come too late for KL weights).
    const sampled = needSampled ? ctx.engine.logprobs(batch.tokens, batch.B, batch.T) : null;
    const ref = this.reference && this.settings.klBeta > 0 ? this.reference.logprobs(batch.tokens, batch.B, batch.T) : null;
    const out: Scalars = {};
    const t0 = performance.now();
    if (ref && sampled) out['rl/kl'] = meanK3(sampled, ref, batch.weights);
    for (let epoch = 0; epoch < this.settings.innerEpochs; epoch++) {
      const current = epoch === 0 ? sampled : ctx.engine.logprobs(batch.tokens, batch.B, batch.T);
      const weights = this.weights(rollout, current, sampled, ref);
      const update = packing.pack(weights);
      const result = ctx.update(update);
      out['train/loss'] = result.loss;
      if (epoch === 0) {
        // Mean -log p of the sampled tokens: an estimate of the policy's entropy.
        const lp = result.logprobs.subarray(packing.rowsBefore * update.T);
        out['rl/entropy'] = sampledEntropy(lp, batch, update.T);
      }
    }
    out['perf/update_s'] = (performance.now() - t0) / 1000;
    return out;
  }

  emptyScalars(): Scalars {
    return { 'rl/frac_zero_std_groups': 1 };
  }
}

/** How one update's batch is made from the rl rows' per-token weights: the rows alone, or after other rows (mix). */
export interface UpdatePacking {
  pack(rlWeights: Float32Array): WeightedBatch;
  /** Rows of the packed batch before the rl rows (their log-probs are not the policy's samples). */
  rowsBefore: number;
}

/** The rl rows alone, normalised by their completion tokens. */
function alone(rollout: RlBatch): UpdatePacking {
  return { pack: (weights) => ({ ...rollout.batch, weights, normalizer: rollout.completionTokens }), rowsBefore: 0 };
}

/** Mean k3 KL estimate over the weighted tokens. */
function meanK3(policy: Float32Array, ref: Float32Array, mask: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    const d = ref[i] - policy[i];
    sum += Math.exp(d) - d - 1;
    n++;
  }
  return n ? sum / n : 0;
}

/** Mean -log p over the completion tokens of `batch`, reading log-probs laid out with row length T. */
function sampledEntropy(logprobs: Float32Array, batch: WeightedBatch, T: number): number {
  let sum = 0;
  let n = 0;
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T; t++) {
      if (batch.weights[b * batch.T + t] === 0) continue;
      sum -= logprobs[b * T + t];
      n++;
    }
  }
  return n ? sum / n : 0;
}
