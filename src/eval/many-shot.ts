/**
 * Many-shot in-context learning (Agarwal et al. 2024) on random functions never trained on (text/functions.ts):
 * accuracy on the answer f(x) of demonstration n against n, beside the exact ideal learner (right when x was
 * demonstrated before, else a guess among the M values) and the no-memory guess 1/M.
 * A model answers within the window it was trained on (its blockSize): the answer of demonstration n is predicted
 * from the whole demonstrations among the last `window` tokens before it, the window starting at a key as every
 * training window does (so a model trained on 32-token windows sees the 15 demonstrations before the query
 * however many the document holds). Its answer is the value token of highest probability (argmax over the M values).
 * Rows: suite manyShot, split unseen, x = n (1, 2, 4, ... and N, log-spaced as the plot draws them), metrics
 *   accuracy  the model's;
 *   ideal     the ideal learner's on the same documents, seeing every earlier demonstration (the ceiling);
 *   window    the ideal learner seeing only the model's window (what the window allows);
 *   guess     1/M (the floor).
 * family and domain are `*`.
 */
import type { Engine } from '../model/engine.js';
import { functionTokens, idealAccuracy, unseenFunctionDocuments, valueTokenIds, type FunctionsSpec } from '../text/functions.js';
import { VOCAB_SIZE } from '../text/vocab.js';
import { ALL, type EvalRecord } from './records.js';
import { genrePositions } from './genre-loss.js';

/** The demonstrations scored: powers of two up to N and N, N = what the documents and the model's context hold. */
export function manyShotPositions(spec: Pick<FunctionsSpec, 'demonstrations'>, contextLength: number): number[] {
  return genrePositions(Math.min(spec.demonstrations, Math.floor(contextLength / 2)));
}

/** The window (tokens) the model answers within: its blockSize, at most its context. */
export function manyShotWindow(blockSize: number, contextLength: number): number {
  return Math.min(blockSize, contextLength);
}

/** Whether the model's answer is right (1) or wrong (0), for each n of `ns` and each document. */
function modelCorrect(engine: Engine, docs: readonly Uint8Array[], ns: readonly number[], window: number, values: number): Map<number, number[]> {
  const ids = valueTokenIds(values);
  const out = new Map<number, number[]>(ns.map((n) => [n, []]));
  // Answers whose whole prefix fits the window share one pass from the document's start; the rest each need one,
  // from the first key inside the window (a window that began at a value would put keys where training had values).
  const fits = ns.filter((n) => 2 * n - 1 <= window);
  const passes: { start: number; ns: number[] }[] = [
    ...(fits.length ? [{ start: 0, ns: fits }] : []),
    ...ns.filter((n) => 2 * n - 1 > window).map((n) => ({ start: 2 * Math.ceil((2 * n - 1 - window) / 2), ns: [n] })),
  ];
  const rowsPerCall = 32;
  for (const pass of passes) {
    const T = Math.max(...pass.ns.map((n) => 2 * n - 1 - pass.start));
    for (let first = 0; first < docs.length; first += rowsPerCall) {
      const group = docs.slice(first, first + rowsPerCall);
      const tokens = new Int32Array(group.length * T);
      group.forEach((doc, b) => tokens.set(functionTokens(doc).subarray(pass.start, pass.start + T), b * T));
      const logits = engine.logits(tokens, group.length, T); // [B, T, V]
      for (let b = 0; b < group.length; b++) {
        for (const n of pass.ns) {
          const t = 2 * n - 2 - pass.start; // the key of demonstration n: its logits predict the answer
          const at = (b * T + t) * VOCAB_SIZE;
          let best = 0;
          for (let j = 1; j < ids.length; j++) if (logits[at + ids[j]] > logits[at + ids[best]]) best = j;
          out.get(n)!.push(best === group[b][2 * n - 1] ? 1 : 0);
        }
      }
    }
  }
  return out;
}

export function evaluateManyShot(engine: Engine, spec: FunctionsSpec, n: number, blockSize: number, step: number): EvalRecord[] {
  const docs = unseenFunctionDocuments({ ...spec, unseenDocuments: n });
  const ns = manyShotPositions(spec, engine.config.contextLength);
  const window = manyShotWindow(blockSize, engine.config.contextLength);
  const correct = modelCorrect(engine, docs, ns, window, spec.values);
  const average = (f: (doc: Uint8Array) => number) => docs.reduce((s, d) => s + f(d), 0) / docs.length;
  const row = (metric: string, x: number, value: number): EvalRecord => ({ step, suite: 'manyShot', split: 'unseen', stage: null, family: ALL, domain: ALL, metric, x, value, n });
  return ns.flatMap((k) => [
    row('accuracy', k, correct.get(k)!.reduce((s, c) => s + c, 0) / docs.length),
    row('ideal', k, average((d) => idealAccuracy(d, k, spec.values))),
    row('window', k, average((d) => idealAccuracy(d, k, spec.values, window))),
    row('guess', k, 1 / spec.values),
  ]);
}
