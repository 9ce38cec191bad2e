/**
 * `continuum bench [--json]`: how fast an engine trains and samples model R1, against the machine's own
 * sgemm peak and, when PyTorch is installed, against PyTorch eager running the same model in the same run.
 *
 * Model R1: vocab 64, context 128, d 128, 4 heads, 4 layers (0.8M parameters).
 *   train:    batch 16 x 128 tokens, forward + backward + AdamW step (tokens/s counts the 2048 input tokens)
 *   generate: 16 prompts of 32 tokens, 64 new tokens each, sampled at temperature 1 through the KV cache
 *             (tokens/s counts new tokens; the prompts' prefill is inside the timed span)
 * Small: the studies' models (vocab 100, d 64, 4 heads, 2 layers) at contexts 32 and 64 and batches 32 and 64,
 *   train tokens/s natively and in PyTorch eager (bench/torch_small.py), as ratios (`small` in --json).
 * Each figure is the best of several timed windows after a warm-up, for us and for PyTorch alike: the
 * cores may be shared, and the best window is the one least disturbed by other processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';

import { parseGPTConfig, paramLayout, type GPTConfig } from '../model/config.js';
import { defaultAdamW, type Engine, type EngineName } from '../model/engine.js';
import { createEngine, engineNames, parseEngineName, prepareEngine } from '../model/engines.js';
import { generate } from '../model/generate.js';
import { loadNativeAddon, NativeEngine } from '../model/native.js';
import { createWasmEngine, WasmEngine } from '../model/wasm.js';
import { Rng } from '../util/rng.js';
import { int } from './args.js';
import { formatContextReport, runContextBench } from './bench-context.js';

export const R1: GPTConfig = parseGPTConfig({ vocabSize: 64, contextLength: 128, dModel: 128, nHeads: 4, nLayers: 4 });
const TRAIN_B = 16;
const TRAIN_T = 128;
const GEN_B = 16;
const GEN_PROMPT = 32;
const GEN_NEW = 64;

/**
 * Training FLOPs per token, counting the matrix products a dense fp32 implementation must do: forward
 * 2 * (matrix parameters, lm_head included) + causal attention 2 * L * T * C (QK^T and AV over T/2
 * positions on average); backward twice the forward.
 */
export function trainFlopsPerToken(cfg: GPTConfig, T: number): number {
  const C = cfg.dModel;
  const matrixParams = cfg.nLayers * (4 + 2 * cfg.mlpRatio) * C * C + cfg.vocabSize * C;
  return 3 * (2 * matrixParams + 2 * cfg.nLayers * T * C);
}

export interface BenchResult {
  engine: EngineName;
  threads: number | null;
  model: GPTConfig;
  params: number;
  train_tok_s: number;
  train_ms_per_step: number;
  train_gflop_s: number;
  gen_tok_s: number;
  peak_rss_mb: number;
  sgemm_peak_gflop_s: number | null;
  mfu: number | null;
  load_avg_1m: number;
  cpu: string;
  torch_version?: string;
  torch_train_tok_s?: number;
  torch_train_threads?: number;
  torch_gen_tok_s?: number;
  torch_gen_threads?: number;
  torch_peak_rss_mb?: number;
  train_vs_torch?: number;
  gen_vs_torch?: number;
  torch_skipped?: string;
  /** --engine wasm: the native engine measured in the same run, and the wasm engine's share of it. */
  native_train_tok_s?: number;
  native_gen_tok_s?: number;
  train_vs_native?: number;
  gen_vs_native?: number;
  /** --engine wasm: the single-thread flavour's training speed (the fallback without SharedArrayBuffer). */
  single_thread_train_tok_s?: number;
  /** The studies' small models: one entry per (context, batch). */
  small: SmallRow[];
}

/** The studies' small model (vocab 100, d 64, 4 heads, 2 layers) at context T, trained on B rows a step. */
export interface SmallRow {
  T: number;
  B: number;
  train_tok_s: number;
  torch_train_tok_s: number | null;
  torch_threads: number | null;
  /** native / torch */
  train_vs_torch: number | null;
}

/** (context, batch) of the studies' small models. */
export const SMALL_CONFIGS: readonly { T: number; B: number }[] = [
  { T: 32, B: 32 },
  { T: 32, B: 64 },
  { T: 64, B: 32 },
  { T: 64, B: 64 },
];

export const smallModel = (T: number): GPTConfig => parseGPTConfig({ vocabSize: 100, contextLength: T, dModel: 64, nHeads: 4, nLayers: 2 });

/** Runs `fn` `reps` times per window; returns the best rate of `work * reps / seconds` over the windows. */
function bestRate(fn: () => void, work: number, reps: number, windows: number): number {
  let best = 0;
  for (let w = 0; w < windows; w++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const seconds = (performance.now() - t0) / 1000;
    best = Math.max(best, (work * reps) / seconds);
  }
  return best;
}

export function measureTrain(engine: Engine, steps: number, windows: number, B = TRAIN_B, T = TRAIN_T): number {
  const rng = new Rng('bench-train');
  const tokens = Int32Array.from({ length: B * (T + 1) }, () => rng.int(engine.config.vocabSize));
  const weights = new Float32Array(B * T).fill(1);
  const step = () => {
    engine.forwardBackward(tokens, weights, B, T);
    engine.step(defaultAdamW);
  };
  for (let i = 0; i < Math.min(3, steps); i++) step(); // warm-up: arena, caches, threads
  return bestRate(step, B * T, steps, windows);
}

/** The small models' train tokens/s on `engine`, one engine per config. */
export function measureSmall(engine: EngineName, steps: number, windows: number): number[] {
  return SMALL_CONFIGS.map(({ T, B }) => {
    const e = createEngine(engine, smallModel(T), 1);
    const rate = measureTrain(e, steps, windows, B, T);
    e.dispose();
    return rate;
  });
}

/** bench/torch_small.py over SMALL_CONFIGS, under the same thread settings as torch_r1.py. */
function measureTorchSmall(python: string, steps: number, windows: number): { torch_version: string; small: { train_tok_s: number; threads: number }[] } {
  const script = fileURLToPath(new URL('../../bench/torch_small.py', import.meta.url));
  if (!existsSync(script)) throw new Error(`${script} is missing`);
  const configs = SMALL_CONFIGS.map(({ T, B }) => `${T}:${B}`).join(',');
  const r = spawnSync(python, [script, '--configs', configs, '--steps', String(steps), '--windows', String(windows)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '1' },
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) throw new Error(`PyTorch small-model benchmark failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { torch_version: string; small: { train_tok_s: number; threads: number }[] };
}

/** The small rows: native figures beside PyTorch's (null where it was skipped). */
export function smallRows(native: readonly number[], torch: readonly { train_tok_s: number; threads: number }[] | null): SmallRow[] {
  return SMALL_CONFIGS.map(({ T, B }, i) => {
    const t = torch?.[i];
    return {
      T,
      B,
      train_tok_s: Math.round(native[i]),
      torch_train_tok_s: t ? Math.round(t.train_tok_s) : null,
      torch_threads: t ? t.threads : null,
      train_vs_torch: t ? +(native[i] / t.train_tok_s).toFixed(2) : null,
    };
  });
}

export function measureGenerate(engine: Engine, reps: number, windows: number): number {
  const rng = new Rng('bench-generate');
  const prompts = Array.from({ length: GEN_B }, () => Array.from({ length: GEN_PROMPT }, () => rng.int(engine.config.vocabSize)));
  const run = () => generate(engine, prompts, { maxNewTokens: GEN_NEW, temperature: 1 }, rng);
  run();
  return bestRate(run, GEN_B * GEN_NEW, reps, windows);
}

/** The Python that can import torch: --python, else python3, else the system's /usr/bin/python3. */
function findTorchPython(explicit?: string): string | null {
  const candidates = explicit ? [explicit] : ['python3', '/usr/bin/python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

interface TorchResult {
  torch_version: string;
  train_tok_s: number;
  train_threads: number;
  gen_tok_s: number;
  gen_threads: number;
  peak_rss_mb: number;
}

/**
 * Runs bench/torch_r1.py at PyTorch's best setting on this machine: single-threaded OpenBLAS under torch's
 * own threads, each task at its best torch thread count (2 or 1).
 */
function measureTorch(python: string, windows: number): TorchResult {
  const script = fileURLToPath(new URL('../../bench/torch_r1.py', import.meta.url));
  if (!existsSync(script)) throw new Error(`${script} is missing`);
  const r = spawnSync(python, [script, '--windows', String(windows)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '1' },
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) throw new Error(`PyTorch benchmark failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchResult;
}

export interface BenchOptions {
  engine: EngineName;
  steps: number;
  genReps: number;
  windows: number;
  torch: boolean;
  python?: string;
}

export function runBench(opts: BenchOptions): BenchResult {
  const load = loadavg()[0];
  const engine = createEngine(opts.engine, R1, 1);
  const threads = engine instanceof NativeEngine || engine instanceof WasmEngine ? engine.threads : null;
  const trainTokS = measureTrain(engine, opts.steps, opts.windows);
  const genTokS = measureGenerate(engine, opts.genReps, opts.windows);
  engine.dispose();
  const smallNative = measureSmall(opts.engine, opts.steps, opts.windows);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024); // before the sgemm probe's matrices
  const sgemmPeak = opts.engine === 'native' && threads ? loadNativeAddon().measureSgemm(threads, 1024, 1.0) : null;
  const trainGflops = (trainTokS * trainFlopsPerToken(R1, TRAIN_T)) / 1e9;
  const result: BenchResult = {
    engine: opts.engine,
    threads,
    model: R1,
    params: paramLayout(R1).total,
    train_tok_s: Math.round(trainTokS),
    train_ms_per_step: +((1000 * TRAIN_B * TRAIN_T) / trainTokS).toFixed(2),
    train_gflop_s: +trainGflops.toFixed(1),
    gen_tok_s: Math.round(genTokS),
    peak_rss_mb: peakRssMb,
    sgemm_peak_gflop_s: sgemmPeak === null ? null : +sgemmPeak.toFixed(1),
    mfu: sgemmPeak === null ? null : +(trainGflops / sgemmPeak).toFixed(3),
    load_avg_1m: +load.toFixed(2),
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
    small: smallRows(smallNative, null),
  };
  if (!opts.torch) result.torch_skipped = 'disabled with --no-torch';
  else {
    const python = findTorchPython(opts.python);
    if (!python) result.torch_skipped = 'no python3 that can `import torch` (on Debian: apt-get install python3-torch libopenblas0-pthread)';
    else {
      const t = measureTorch(python, opts.windows);
      result.torch_version = t.torch_version;
      result.torch_train_tok_s = Math.round(t.train_tok_s);
      result.torch_train_threads = t.train_threads;
      result.torch_gen_tok_s = Math.round(t.gen_tok_s);
      result.torch_gen_threads = t.gen_threads;
      result.torch_peak_rss_mb = Math.round(t.peak_rss_mb);
      result.train_vs_torch = +(trainTokS / t.train_tok_s).toFixed(2);
      result.gen_vs_torch = +(genTokS / t.gen_tok_s).toFixed(2);
      result.small = smallRows(smallNative, measureTorchSmall(python, opts.steps, opts.windows).small);
    }
  }
  return result;
}

/**
 * The wasm engine's figures beside the native engine's, measured in the same run (same load, same
 * windows), and the single-thread flavour's training speed.
 */
export async function compareWasmToNative(result: BenchResult, opts: BenchOptions): Promise<BenchResult> {
  const native = createEngine('native', R1, 1);
  const nativeTrain = measureTrain(native, opts.steps, opts.windows);
  const nativeGen = measureGenerate(native, opts.genReps, opts.windows);
  native.dispose();
  const single = await createWasmEngine(R1, 1, { threads: 1 });
  const singleTrain = measureTrain(single, Math.max(1, Math.ceil(opts.steps / 2)), opts.windows);
  single.dispose();
  return {
    ...result,
    native_train_tok_s: Math.round(nativeTrain),
    native_gen_tok_s: Math.round(nativeGen),
    train_vs_native: +(result.train_tok_s / nativeTrain).toFixed(3),
    gen_vs_native: +(result.gen_tok_s / nativeGen).toFixed(3),
    single_thread_train_tok_s: Math.round(singleTrain),
  };
}

/** `512,1024` -> [512, 1024]: positive integers up to 65536 (contextLength's limit). */
export function parseLengths(text: string): number[] {
  const lengths = text.split(',').map((s) => Number(s.trim()));
  for (const T of lengths) {
    if (!Number.isInteger(T) || T < 1 || T > 65536) throw new Error(`--context: ${JSON.stringify(text)} must list context lengths from 1 to 65536, comma-separated`);
  }
  return lengths;
}

const threadCount = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

function formatReport(r: BenchResult): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = [
    `model R1: vocab ${r.model.vocabSize}, context ${r.model.contextLength}, d ${r.model.dModel}, ${r.model.nHeads} heads, ` +
      `${r.model.nLayers} layers (${(r.params / 1e6).toFixed(2)}M parameters), fp32`,
    `engine ${r.engine}${r.threads ? `, ${threadCount(r.threads)}` : ''}; ${r.cpu}; load average ${r.load_avg_1m} at start`,
    `  train     ${TRAIN_B} x ${TRAIN_T} tokens, AdamW: ${n(r.train_tok_s)} tok/s (${r.train_ms_per_step} ms/step, ${r.train_gflop_s} GFLOP/s` +
      (r.mfu !== null ? `, MFU ${(100 * r.mfu).toFixed(0)}% of the measured sgemm peak ${r.sgemm_peak_gflop_s} GFLOP/s)` : ')'),
    `  generate  ${GEN_B} x (${GEN_PROMPT} prompt + ${GEN_NEW} new), KV cache: ${n(r.gen_tok_s)} new tok/s`,
    `  peak RSS  ${r.peak_rss_mb} MB`,
  ];
  if (r.torch_version !== undefined) {
    lines.push(
      `PyTorch ${r.torch_version} eager (OPENBLAS_NUM_THREADS=1): train ${n(r.torch_train_tok_s!)} tok/s ` +
        `(${threadCount(r.torch_train_threads!)}), generate ${n(r.torch_gen_tok_s!)} tok/s (${threadCount(r.torch_gen_threads!)}), ` +
        `peak RSS ${r.torch_peak_rss_mb} MB`,
      `  ${r.engine} / PyTorch: train ${r.train_vs_torch}x, generate ${r.gen_vs_torch}x`,
    );
  } else lines.push(`PyTorch: skipped (${r.torch_skipped})`);
  if (r.train_vs_native !== undefined) {
    lines.push(
      `native engine in the same run: train ${n(r.native_train_tok_s!)} tok/s, generate ${n(r.native_gen_tok_s!)} tok/s`,
      `  wasm / native: train ${r.train_vs_native}x, generate ${r.gen_vs_native}x; wasm single-thread flavour: train ${n(r.single_thread_train_tok_s!)} tok/s`,
    );
  }
  lines.push(...formatSmall(r.small, r.engine));
  lines.push('(each figure: the best of several timed windows after a warm-up)');
  return lines.join('\n');
}

/** The small models' lines: train tokens/s on the engine measured and in PyTorch, and their ratio. */
export function formatSmall(rows: readonly SmallRow[], engine = 'native'): string[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const torch = rows.some((r) => r.torch_train_tok_s !== null);
  const lines = ['small models (the studies\' shape): vocab 100, d 64, 4 heads, 2 layers; train B x T tokens, AdamW', `     T     B ${`${engine} tok/s`.padStart(14)}` + (torch ? `    torch tok/s ${`${engine} / torch`.padStart(15)}` : '')];
  for (const r of rows) {
    let line = `${String(r.T).padStart(6)} ${String(r.B).padStart(5)} ${n(r.train_tok_s).padStart(14)}`;
    if (r.torch_train_tok_s !== null) line += ` ${n(r.torch_train_tok_s).padStart(14)} ${`${r.train_vs_torch}x`.padStart(15)} (torch ${threadCount(r.torch_threads!)})`;
    lines.push(line);
  }
  return lines;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure training and generation speed on model R1, against PyTorch when it is installed')
    .addOption(new Option('--engine <name>', 'compute engine (wasm: also the native engine, for the ratio)').choices([...engineNames]).default('native'))
    .option('--steps <n>', 'training steps per timed window (default: 10 native, 1 reference; 2 with --context)', int('--steps'))
    .option('--gen-reps <n>', 'generations per timed window (default: 3 native, 1 reference)', int('--gen-reps'))
    .option('--windows <n>', 'timed windows; the best counts (default: 5 native, 1 reference; 2 with --context)', int('--windows'))
    .option('--no-torch', 'skip the PyTorch comparison')
    .option('--python <path>', 'the Python with torch (default: python3, then /usr/bin/python3)')
    .option('--context <lengths>', 'instead: train speed and peak memory at these context lengths (e.g. 512,1024,2048,4096), native against PyTorch')
    .option('--json', 'print one JSON object')
    .action(async (f: { engine: string; steps?: number; genReps?: number; windows?: number; torch: boolean; python?: string; json?: boolean; context?: string }) => {
      if (f.context !== undefined) {
        const lengths = parseLengths(f.context);
        const python = f.torch ? findTorchPython(f.python) : null;
        const skipped = f.torch ? 'no python3 that can `import torch` (on Debian: apt-get install python3-torch libopenblas0-pthread)' : 'disabled with --no-torch';
        const result = runContextBench(lengths, Math.max(1, f.steps ?? 2), Math.max(1, f.windows ?? 2), python, skipped);
        process.stdout.write((f.json ? JSON.stringify(result) : formatContextReport(result)) + '\n');
        return;
      }
      const engine = parseEngineName(f.engine);
      const slow = engine === 'reference'; // the readable engine is ~100x slower: one short window
      const positive = (v: number | undefined, fallback: number) => Math.max(1, v ?? fallback);
      const opts: BenchOptions = {
        engine,
        steps: positive(f.steps, slow ? 1 : 10),
        genReps: positive(f.genReps, slow ? 1 : 3),
        windows: positive(f.windows, slow ? 1 : 5),
        torch: f.torch,
        python: f.python,
      };
      await prepareEngine(engine);
      let result = runBench(opts);
      if (engine === 'wasm') result = await compareWasmToNative(result, opts);
      process.stdout.write((f.json ? JSON.stringify(result) : formatReport(result)) + '\n');
    });
}
