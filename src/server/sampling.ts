/**
 * The one route that computes: sampling a completion from a run's model or checkpoint. The model folder is
 * resolved inside the run directory (never outside the runs directory); the last few loaded models stay in
 * memory, keyed by folder and weights file time, so trying prompts one after another does not reload them.
 * With an instance (family, difficulty, split, seed, index) the prompt is that instance's, framed as a task
 * (BOS prompt SEP ... EOS), and the completion is scored by the family's verifier against its reference.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Engine, EngineName } from '../model/engine.js';
import { createEngine } from '../model/engines.js';
import { generate, generateLong } from '../model/generate.js';
import { loadModel, MODEL_FILE } from '../store/model-files.js';
import { getFamily, hasFamily, makeInstance, type Instance } from '../tasks/index.js';
import { BOS, EOS, SEP, checkSymbols, decode, encode, unknownCharError } from '../text/vocab.js';
import { Rng } from '../util/rng.js';
import type { SampleResponse } from '../api/types.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { resolveInside, runDirOf } from './paths.js';

export const SampleRequestSchema = z
  .object({
    run: z.string().min(1),
    checkpoint: z.string().min(1),
    prompt: z.string().max(4000).default(''),
    task: z.boolean().default(false),
    instance: z
      .object({
        family: z.string().min(1),
        difficulty: z.number().int().min(1).max(20),
        split: z.enum(['train', 'test']),
        seed: z.number().int().min(0),
        index: z.number().int().min(0),
      })
      .strict()
      .optional(),
    maxNewTokens: z.number().int().min(1).max(512).default(64),
    temperature: z.number().min(0).max(2).default(0),
    seed: z.number().int().min(0).default(0),
  })
  .strict();

const CACHE_SIZE = 2;

export class Sampler {
  private readonly cache = new Map<string, Engine>();

  constructor(
    private readonly runsDir: string,
    private readonly engineName: EngineName = 'native',
  ) {}

  private engineFor(runId: string, checkpoint: string): Engine {
    const dir = resolveInside(runDirOf(this.runsDir, runId), checkpoint, 'checkpoint');
    if (!existsSync(join(dir, MODEL_FILE))) throw new NotFoundError(`${runId}/${checkpoint} holds no model`);
    const key = `${dir}@${statSync(join(dir, MODEL_FILE)).mtimeMs}`;
    let engine = this.cache.get(key);
    if (engine) {
      this.cache.delete(key); // re-inserted below: the map's order is least recently used first
    } else {
      const model = loadModel(dir);
      checkSymbols(model.symbols, `${runId}/${checkpoint}`);
      engine = createEngine(this.engineName, model.config, model.params);
      while (this.cache.size >= CACHE_SIZE) {
        const [oldest, old] = this.cache.entries().next().value as [string, Engine];
        old.dispose();
        this.cache.delete(oldest);
      }
    }
    this.cache.set(key, engine);
    return engine;
  }

  sample(input: unknown): SampleResponse {
    const parsed = SampleRequestSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BadRequestError(`sample request: ${issue.path.join('.') || '(body)'}: ${issue.message}`);
    }
    const req = parsed.data;
    let instance: Instance | null = null;
    if (req.instance) {
      if (!hasFamily(req.instance.family)) throw new NotFoundError(`no task family "${req.instance.family}"`);
      const family = getFamily(req.instance.family);
      if (req.instance.difficulty > family.levels.length) throw new BadRequestError(`${family.name} has difficulty levels 1 to ${family.levels.length}`);
      instance = makeInstance(family, req.instance);
    }
    const prompt = instance ? instance.prompt : req.prompt;
    const unknown = unknownCharError(prompt, 'prompt');
    if (unknown) throw new BadRequestError(unknown.message);
    const started = performance.now();
    const engine = this.engineFor(req.run, req.checkpoint);
    const rng = new Rng(req.seed);
    const opts = { temperature: req.temperature, topK: 0 };
    let completion: string;
    if (instance || req.task) {
      const ids = [BOS, ...encode(prompt, 'prompt'), SEP];
      const room = engine.config.contextLength;
      if (ids.length >= room) throw new BadRequestError(`the prompt takes ${ids.length} tokens; this model's context holds ${room}`);
      const [out] = generate(engine, [ids], { ...opts, maxNewTokens: req.maxNewTokens, stopToken: EOS }, rng);
      completion = decode(out.filter((t) => t !== EOS));
    } else {
      completion = decode(generateLong(engine, encode(prompt.length ? prompt : '\n', 'prompt'), req.maxNewTokens, opts, rng));
    }
    const score = instance ? getFamily(instance.family).score(completion, instance) : null;
    return { prompt, completion, answer: instance?.answer ?? null, score, ms: Math.round(performance.now() - started) };
  }

  close(): void {
    for (const engine of this.cache.values()) engine.dispose();
    this.cache.clear();
  }
}
