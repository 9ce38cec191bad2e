/**
 * `continuum sample CKPT --prompt "..."`: samples from a trained model. CKPT is a run directory (its final
 * model), a model folder, or a checkpoint folder. With --task FAMILY the prompt is framed as a task
 * (BOS prompt SEP ... EOS) and, with --answer, the completion is scored by the family's verifier.
 */
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, parseEngineName, prepareEngine } from '../model/engines.js';
import { generate, generateLong } from '../model/generate.js';
import { loadModel } from '../store/model-files.js';
import { BOS, EOS, SEP, checkSymbols, decode, encode } from '../text/vocab.js';
import { Rng } from '../util/rng.js';
import { int, num } from './args.js';

export function resolveModelDir(path: string): string {
  if (existsSync(join(path, 'model', 'config.json'))) return join(path, 'model');
  if (existsSync(join(path, 'config.json'))) return path;
  throw new Error(`${path} holds no model: give a run directory, its model/ folder or a checkpoint folder`);
}

export function registerSampleCommand(program: Command): void {
  program
    .command('sample')
    .description('sample text from a trained model')
    .argument('<ckpt>', 'run directory, model folder or checkpoint folder')
    .option('--prompt <text>', 'text to continue', '\n')
    .option('--task', 'frame the prompt as a task instance (BOS prompt SEP) and stop at EOS')
    .option('--max-new-tokens <n>', 'characters to generate', int('--max-new-tokens'), 200)
    .option('--temperature <t>', '0 = greedy', num('--temperature'), 0.8)
    .option('--top-k <k>', 'sample among the k most likely (0 = all)', int('--top-k'), 0)
    .option('--num-samples <n>', 'how many samples', int('--num-samples'), 1)
    .option('--seed <n>', 'random seed', int('--seed'), 0)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['native', 'reference', 'wasm']).default('native'))
    .option('--json', 'print the samples as JSON')
    .action(async (ckpt: string, f: { prompt: string; task?: boolean; maxNewTokens: number; temperature: number; topK: number; numSamples: number; seed: number; engine: string; json?: boolean }) => {
      const model = loadModel(resolveModelDir(ckpt));
      checkSymbols(model.symbols, ckpt);
      const name = parseEngineName(f.engine);
      await prepareEngine(name);
      const engine = createEngine(name, model.config, model.params);
      const rng = new Rng(f.seed);
      const opts = { temperature: f.temperature, topK: f.topK };
      const samples: string[] = [];
      for (let i = 0; i < f.numSamples; i++) {
        if (f.task) {
          const prompt = [BOS, ...encode(f.prompt, '--prompt'), SEP];
          const [ids] = generate(engine, [prompt], { ...opts, maxNewTokens: f.maxNewTokens, stopToken: EOS }, rng);
          samples.push(decode(ids.filter((t) => t !== EOS)));
        } else {
          samples.push(decode(generateLong(engine, encode(f.prompt, '--prompt'), f.maxNewTokens, opts, rng)));
        }
      }
      engine.dispose();
      if (f.json) process.stdout.write(JSON.stringify({ prompt: f.prompt, samples }) + '\n');
      else for (const s of samples) process.stdout.write(`${f.task ? '' : f.prompt}${s}\n${f.numSamples > 1 ? '---\n' : ''}`);
    });
}
