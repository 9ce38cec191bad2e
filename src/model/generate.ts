/**
 * Batched sampling, shared by both engines: the engine supplies next-token logits (through its KV cache,
 * or by full recomputation for tests), this file turns them into tokens. Because the sampling code and the
 * random draws are the same for every engine, the same seed gives the same tokens on each.
 */
import type { Rng } from '../util/rng.js';
import type { Engine } from './engine.js';

/** How generate() draws tokens (a rollout's recipe-level settings are rollout/sample.ts RolloutSampling). */
export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 = greedy (argmax). */
  temperature: number;
  /** Keep only the k most likely tokens before sampling; 0 or undefined = all. */
  topK?: number;
  /** Stop a row after it emits this token (the token is included in its output). */
  stopToken?: number;
  /** false = recompute the whole sequence at every step instead of using the KV cache (for tests). */
  useCache?: boolean;
}

/**
 * Text longer than the context: generates in windows, re-reading the last half-context as the next prompt
 * (a model with learned positions cannot slide a KV cache past its contextLength).
 */
export function generateLong(engine: Engine, prompt: number[], count: number, opts: Omit<GenerateOptions, 'maxNewTokens'>, rng: Rng): number[] {
  const ctx = engine.config.contextLength;
  const out: number[] = [];
  let window = prompt.slice(-Math.max(1, Math.floor(ctx / 2)));
  while (out.length < count) {
    const [fresh] = generate(engine, [window], { ...opts, maxNewTokens: count - out.length }, rng);
    out.push(...fresh);
    if (fresh.length === 0 || (opts.stopToken !== undefined && fresh[fresh.length - 1] === opts.stopToken)) break;
    window = [...window, ...fresh].slice(-Math.max(1, Math.floor(ctx / 2)));
  }
  return out;
}

/** Samples a completion for every prompt; returns only the new tokens of each row. */
export function generate(engine: Engine, prompts: number[][], opts: GenerateOptions, rng: Rng): number[][] {
  const ctx = engine.config.contextLength;
  const V = engine.config.vocabSize;
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`prompt ${i} is empty: start it with at least one token (e.g. BOS)`);
    if (p.length >= ctx) {
      throw new Error(`prompt ${i} has ${p.length} tokens, leaving no room in contextLength ${ctx}: shorten it`);
    }
  });
  const outputs: number[][] = prompts.map(() => []);
  // Each row stops at its own budget: maxNewTokens, or the room left in the context.
  const budget = prompts.map((p) => Math.min(opts.maxNewTokens, ctx - p.length));
  if (opts.useCache === false) return generateByRecompute(engine, prompts, opts, rng, outputs, budget);

  const session = engine.createInferenceSession(prompts.length);
  try {
    const logits = new Float32Array(prompts.length * V); // [B, V], the latest logits of every row
    prompts.forEach((p, row) => logits.set(session.prefill(row, Int32Array.from(p)), row * V));
    let active = prompts.map((_, row) => row).filter((row) => budget[row] > 0);
    while (active.length > 0) {
      const next = active.map((row) => sampleToken(logits.subarray(row * V, (row + 1) * V), opts, rng));
      active.forEach((row, i) => outputs[row].push(next[i]));
      const keep = active.map((row, i) => outputs[row].length < budget[row] && next[i] !== opts.stopToken);
      const rows = active.filter((_, i) => keep[i]);
      const tokens = next.filter((_, i) => keep[i]);
      if (rows.length === 0) break;
      const fresh = session.decode(Int32Array.from(rows), Int32Array.from(tokens)); // [rows, V]
      rows.forEach((row, i) => logits.set(fresh.subarray(i * V, (i + 1) * V), row * V));
      active = rows;
    }
  } finally {
    session.dispose();
  }
  return outputs;
}

function generateByRecompute(engine: Engine, prompts: number[][], opts: GenerateOptions, rng: Rng, outputs: number[][], budget: number[]): number[][] {
  const V = engine.config.vocabSize;
  const done = prompts.map((_, row) => budget[row] <= 0);
  while (done.some((d) => !d)) {
    // Draw in row order, as the cached path does, so both consume the RNG identically.
    for (let row = 0; row < prompts.length; row++) {
      if (done[row]) continue;
      const seq = [...prompts[row], ...outputs[row]];
      const all = engine.logits(Int32Array.from(seq), 1, seq.length); // [1, T, V]
      const token = sampleToken(all.subarray((seq.length - 1) * V, seq.length * V), opts, rng);
      outputs[row].push(token);
      if (outputs[row].length >= budget[row] || token === opts.stopToken) done[row] = true;
    }
  }
  return outputs;
}

/** One token from next-token logits [V]: argmax at temperature 0, else softmax(logits / T) over the top k. */
export function sampleToken(logits: Float32Array, opts: Pick<GenerateOptions, 'temperature' | 'topK'>, rng: Rng): number {
  const V = logits.length;
  if (!(opts.temperature > 0)) {
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
    return best;
  }
  let cutoff = -Infinity;
  if (opts.topK && opts.topK > 0 && opts.topK < V) {
    cutoff = Array.from(logits).sort((a, b) => b - a)[opts.topK - 1];
  }
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (logits[v] >= cutoff && logits[v] > max) max = logits[v];
  const probs = new Float64Array(V);
  let sum = 0;
  for (let v = 0; v < V; v++) {
    probs[v] = logits[v] >= cutoff ? Math.exp((logits[v] - max) / opts.temperature) : 0;
    sum += probs[v];
  }
  let u = rng.uniform() * sum;
  for (let v = 0; v < V; v++) {
    u -= probs[v];
    if (u < 0) return v;
  }
  // Rounding left a sliver: return the last token with probability mass.
  for (let v = V - 1; v >= 0; v--) if (probs[v] > 0) return v;
  return 0;
}
