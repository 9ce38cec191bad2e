/**
 * How noisy is nanoGPT's val-loss estimate? For a trained character model, prints the exact loss over every val
 * position, then the spread of nanoGPT's estimate (the mean of `iters` random batches of 12 x 64) over many
 * redraws, for 20 batches (nanoGPT's CPU command) and 200 (its default).
 *
 *   npx continuum pretrain --out runs/shakespeare
 *   npx tsx bench/eval-noise.ts runs/shakespeare/model [--draws 400]
 */
import { createEngine } from '../src/model/engines.js';
import { loadModel } from '../src/store/model-files.js';
import { loadCorpus } from '../src/text/corpus-file.js';
import { LmObjective, splitLoss } from '../src/train/objectives/lm.js';
import { Rng } from '../src/util/rng.js';

const [modelDir, flag, drawsText] = process.argv.slice(2);
if (!modelDir) {
  process.stderr.write('usage: npx tsx bench/eval-noise.ts MODEL_DIR [--draws N]\n');
  process.exit(2);
}
const draws = flag === '--draws' ? Number(drawsText) : 400;
if (!Number.isInteger(draws) || draws < 20) {
  process.stderr.write(`--draws: got ${drawsText}; give an integer of at least 20\n`);
  process.exit(2);
}
const model = loadModel(modelDir);
const engine = createEngine('native', model.config, model.params);
const corpus = loadCorpus('shakespeare');
const [B, T] = [12, 64];

const exact = splitLoss(engine, corpus, 'val', T);
console.log(`exact val loss (every position, windows of ${T}): ${exact.toFixed(4)}`);

for (const iters of [20, 200]) {
  const rng = new Rng(`eval-noise|${iters}`);
  const n = iters === 20 ? draws : Math.max(20, Math.round(draws / 10));
  // The trainer's own estimate (nanoGPT's estimate_loss), redrawn n times.
  const lm = new LmObjective(corpus, B, T, iters);
  const estimates = Array.from({ length: n }, () => lm.estimateLoss(engine, 'val', rng));
  estimates.sort((a, b) => a - b);
  const mean = estimates.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(estimates.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const below = estimates.filter((x) => x <= 1.88).length / n;
  console.log(
    `eval_iters ${iters}: ${n} estimates, mean ${mean.toFixed(4)}, sd ${sd.toFixed(4)}, ` +
      `range ${estimates[0].toFixed(4)} to ${estimates[n - 1].toFixed(4)}, share <= 1.88: ${below.toFixed(3)}`,
  );
}
engine.dispose();
