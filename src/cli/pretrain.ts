/**
 * `continuum pretrain`: character-level language-model pre-training on a corpus, with nanoGPT's flag names
 * (kebab case) and its CPU recipe as defaults. It is a recipe with one `lm` stage.
 */
import { Command, Option } from 'commander';
import { join } from 'node:path';
import { parseEngineName, prepareEngine } from '../model/engines.js';
import { generateLong } from '../model/generate.js';
import { loadCorpusSpec } from '../text/corpus-file.js';
import { decode, encode } from '../text/vocab.js';
import { splitLoss } from '../train/objectives/lm.js';
import { parseRecipe, type Recipe } from '../train/recipe.js';
import { Rng } from '../util/rng.js';
import { defaultRunDir, int, num } from './args.js';
import { refuseExistingRun, runDirRecipe, runRecipe } from './run-recipe.js';

interface PretrainFlags {
  corpus: string;
  maxIters: number;
  batchSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  learningRate: number;
  minLr: number;
  warmupIters: number;
  weightDecay: number;
  beta2: number;
  gradClip: number;
  evalInterval: number;
  evalIters: number;
  seed: number;
  bias: boolean;
  engine: string;
  out?: string;
  resume?: string;
  sampleTokens: number;
  json?: boolean;
}

export function pretrainRecipe(f: PretrainFlags): Recipe {
  return parseRecipe({
    name: `pretrain-${f.corpus.replace(/[^A-Za-z0-9_-]+/g, '_')}`,
    seed: f.seed,
    model: { nLayers: f.nLayer, nHeads: f.nHead, dModel: f.nEmbd, contextLength: f.blockSize, bias: f.bias },
    stages: [
      {
        name: 'pretrain',
        objective: 'lm',
        corpus: f.corpus,
        budget: { steps: f.maxIters },
        batchSize: f.batchSize,
        blockSize: f.blockSize,
        schedule: { lr: f.learningRate, minLr: f.minLr, warmupSteps: f.warmupIters, decay: 'cosine' },
        optimizer: { beta1: 0.9, beta2: f.beta2, eps: 1e-8, weightDecay: f.weightDecay, gradClip: f.gradClip },
        eval: { interval: f.evalInterval, iters: f.evalIters },
        checkpointInterval: f.evalInterval,
      },
    ],
  }, 'pretrain flags');
}

export function registerPretrainCommand(program: Command): void {
  program
    .command('pretrain')
    .description("character-level pre-training on a corpus (nanoGPT's CPU recipe by default)")
    .option('--corpus <name|path>', 'built-in corpus (shakespeare) or a text file', 'shakespeare')
    .option('--max-iters <n>', 'optimizer steps', int('--max-iters'), 2000)
    .option('--batch-size <n>', 'sequences per step', int('--batch-size'), 12)
    .option('--block-size <n>', 'context length in characters', int('--block-size'), 64)
    .option('--n-layer <n>', 'transformer layers', int('--n-layer'), 4)
    .option('--n-head <n>', 'attention heads', int('--n-head'), 4)
    .option('--n-embd <n>', 'model width', int('--n-embd'), 128)
    .option('--learning-rate <lr>', 'peak learning rate', num('--learning-rate'), 1e-3)
    .option('--min-lr <lr>', 'learning rate at the end of the cosine', num('--min-lr'), 1e-4)
    .option('--warmup-iters <n>', 'linear warmup steps', int('--warmup-iters'), 100)
    .option('--weight-decay <x>', 'AdamW weight decay (matrices only)', num('--weight-decay'), 0.1)
    .option('--beta2 <x>', 'AdamW beta2', num('--beta2'), 0.99)
    .option('--grad-clip <x>', 'clip the gradient norm (0 = off)', num('--grad-clip'), 1.0)
    .option('--eval-interval <n>', 'evaluate (and checkpoint) every n steps', int('--eval-interval'), 250)
    .option('--eval-iters <n>', 'batches per loss estimate', int('--eval-iters'), 200)
    .option('--seed <n>', 'random seed', int('--seed'), 1337)
    .option('--bias', "train Linear and LayerNorm biases (nanoGPT's recipe has none)", false)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['native', 'reference', 'wasm']).default('native'))
    .option('--out <dir>', 'run directory (default runs/pretrain-<time>)')
    .option('--resume <dir>', 'continue a killed run from its latest checkpoint')
    .option('--sample-tokens <n>', 'characters to sample at the end (0 = none)', int('--sample-tokens'), 300)
    .option('--json', 'print one JSON line with the final figures')
    .action(pretrain);
}

/** Trains, then prints the validation loss (estimated and exact), the time and a sample. */
async function pretrain(flags: PretrainFlags): Promise<void> {
  let recipe = pretrainRecipe(flags);
  let outDir = flags.out ?? defaultRunDir('pretrain');
  if (flags.resume) {
    outDir = flags.resume;
    recipe = runDirRecipe(outDir);
  } else refuseExistingRun(outDir, 'pretrain');
  const engine = parseEngineName(flags.engine);
  await prepareEngine(engine);
  if (!flags.json) process.stderr.write(`run directory: ${outDir}\n`);
  const result = runRecipe(recipe, { command: 'pretrain', outDir, engine, resume: Boolean(flags.resume), json: flags.json });
  const last = result.last;
  const corpus = loadCorpusSpec(recipe.stages[0].corpus ?? flags.corpus);
  const figures = {
    val_loss: last['eval/val_loss'],
    // Every val position once: the same number on every rerun of the same model, unlike the estimate.
    val_loss_exact: Number(splitLoss(result.engine, corpus, 'val', recipe.stages[0].blockSize ?? recipe.model.contextLength).toFixed(4)),
    train_loss: last['eval/train_loss'],
    iters: result.steps,
    wall_s: Number(result.wallSeconds.toFixed(2)),
    engine,
    out: outDir,
  };
  let sample = '';
  if (flags.sampleTokens > 0) {
    const ids = generateLong(result.engine, encode('\n'), flags.sampleTokens, { temperature: 0.8, topK: 200 }, new Rng(flags.seed));
    sample = decode(ids);
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...figures, sample }) + '\n');
  } else {
    process.stdout.write(
      `\nval loss ${figures.val_loss?.toFixed(4)} (exact, every val position: ${figures.val_loss_exact.toFixed(4)}) | train loss ${figures.train_loss?.toFixed(4)} | ` +
        `${figures.iters} iters in ${figures.wall_s.toFixed(1)} s (${engine} engine)\n` +
        `model: ${join(outDir, 'model')} (sample it: npx continuum sample ${outDir} --prompt "ROMEO:")\n`,
    );
    if (sample) process.stdout.write(`\n--- sample ---\n${sample}\n--------------\n`);
  }
  result.engine.dispose();
}
