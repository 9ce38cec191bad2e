/**
 * `continuum bench --context 512,1024,2048,4096`: training speed and peak memory at long contexts, the native
 * engine (tiled attention past T = 512, O(T) memory) against PyTorch eager (which keeps the [B, nh, T, T]
 * scores), each length in a child process of its own so that its peak RSS (VmHWM) is its own.
 *
 * Model: vocab 64, d 64, 4 heads (head size 16), 2 layers (the studies' shape) with contextLength T; each step
 * trains max(1, 4096 / T) rows of T tokens (4,096 tokens a step) with AdamW; tokens/s is the best of the timed
 * windows after one warm-up step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parseGPTConfig, type GPTConfig } from '../model/config.js';
import { defaultAdamW } from '../model/engine.js';
import { NativeEngine } from '../model/native.js';
import { Rng } from '../util/rng.js';

const TOKENS_PER_STEP = 4096;

export function contextModel(T: number): GPTConfig {
  return parseGPTConfig({ vocabSize: 64, contextLength: T, dModel: 64, nHeads: 4, nLayers: 2 });
}

export const contextRows = (T: number) => Math.max(1, Math.round(TOKENS_PER_STEP / T));

export interface ContextRow {
  T: number;
  B: number;
  train_tok_s: number;
  peak_rss_mb: number;
  torch_train_tok_s: number | null;
  torch_peak_rss_mb: number | null;
  /** native / torch */
  train_vs_torch: number | null;
  /** native / torch */
  rss_vs_torch: number | null;
}

export interface ContextBench {
  model: GPTConfig;
  tokens_per_step: number;
  torch_version?: string;
  torch_skipped?: string;
  context: ContextRow[];
}

/** This process's peak resident set (VmHWM), MB. */
export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Math.round(process.resourceUsage().maxRSS / 1024);
}

/** In the child: train natively at T and report { train_tok_s, peak_rss_mb }. */
export function measureNativeContext(T: number, steps: number, windows: number): { train_tok_s: number; peak_rss_mb: number } {
  const cfg = contextModel(T);
  const B = contextRows(T);
  const engine = new NativeEngine(cfg, 1);
  const rng = new Rng('bench-context');
  const tokens = Int32Array.from({ length: B * (T + 1) }, () => rng.int(cfg.vocabSize));
  const weights = new Float32Array(B * T).fill(1);
  const step = () => {
    engine.forwardBackward(tokens, weights, B, T);
    engine.step(defaultAdamW);
  };
  step(); // warm-up: the arena, the threads
  let best = 0;
  for (let w = 0; w < windows; w++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    best = Math.max(best, (B * T * steps * 1000) / (performance.now() - t0));
  }
  const peak = peakRssMb();
  engine.dispose();
  return { train_tok_s: best, peak_rss_mb: peak };
}

function lastJsonLine(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

function runNativeChild(T: number, steps: number, windows: number): { train_tok_s: number; peak_rss_mb: number } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', String(T), String(steps), String(windows)], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) throw new Error(`native context bench at T=${T} failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
  return lastJsonLine(r.stdout) as { train_tok_s: number; peak_rss_mb: number };
}

function runTorchChild(python: string, T: number, steps: number, windows: number): { torch_version: string; train_tok_s: number; peak_rss_mb: number } {
  const script = fileURLToPath(new URL('../../bench/torch_context.py', import.meta.url));
  if (!existsSync(script)) throw new Error(`${script} is missing`);
  const args = [script, '--T', String(T), '--B', String(contextRows(T)), '--steps', String(steps), '--windows', String(windows)];
  const r = spawnSync(python, args, {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '1' },
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) throw new Error(`PyTorch context bench at T=${T} failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
  return lastJsonLine(r.stdout) as { torch_version: string; train_tok_s: number; peak_rss_mb: number };
}

/** Each length: native in a child, then PyTorch in a child when `python` can import torch. */
export function runContextBench(lengths: number[], steps: number, windows: number, python: string | null, skipped?: string): ContextBench {
  const result: ContextBench = { model: contextModel(Math.max(...lengths)), tokens_per_step: TOKENS_PER_STEP, context: [] };
  if (!python) result.torch_skipped = skipped ?? 'no python3 that can `import torch`';
  for (const T of lengths) {
    const n = runNativeChild(T, steps, windows);
    const t = python ? runTorchChild(python, T, steps, windows) : null;
    if (t) result.torch_version = t.torch_version;
    result.context.push({
      T,
      B: contextRows(T),
      train_tok_s: Math.round(n.train_tok_s),
      peak_rss_mb: Math.round(n.peak_rss_mb),
      torch_train_tok_s: t ? Math.round(t.train_tok_s) : null,
      torch_peak_rss_mb: t ? Math.round(t.peak_rss_mb) : null,
      train_vs_torch: t ? +(n.train_tok_s / t.train_tok_s).toFixed(2) : null,
      rss_vs_torch: t ? +(n.peak_rss_mb / t.peak_rss_mb).toFixed(3) : null,
    });
  }
  return result;
}

export function formatContextReport(r: ContextBench): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const m = r.model;
  const lines = [
    `context bench: vocab ${m.vocabSize}, d ${m.dModel}, ${m.nHeads} heads, ${m.nLayers} layers, ${n(r.tokens_per_step)} tokens a step (rows x T), AdamW, fp32`,
    r.torch_version ? `native against PyTorch ${r.torch_version} eager (2 threads, OPENBLAS_NUM_THREADS=1); each length in its own processes` : `PyTorch: skipped (${r.torch_skipped})`,
    '     T  rows   native tok/s  peak MB' + (r.torch_version ? '    torch tok/s  peak MB   speed  memory' : ''),
  ];
  for (const c of r.context) {
    let line = `${String(c.T).padStart(6)} ${String(c.B).padStart(5)} ${n(c.train_tok_s).padStart(14)} ${String(c.peak_rss_mb).padStart(8)}`;
    if (c.torch_train_tok_s !== null) {
      line += ` ${n(c.torch_train_tok_s).padStart(14)} ${String(c.torch_peak_rss_mb).padStart(8)} ${`${c.train_vs_torch}x`.padStart(7)} ${`${c.rss_vs_torch}x`.padStart(7)}`;
    }
    lines.push(line);
  }
  lines.push('(speed and memory: native / PyTorch; tokens/s the best of the timed windows after a warm-up; peak MB: VmHWM)');
  return lines.join('\n');
}

// The child process of one length: `node bench-context.js --child T steps windows` prints one JSON line.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  const [T, steps, windows] = process.argv.slice(3).map(Number);
  process.stdout.write(JSON.stringify(measureNativeContext(T, steps, windows)) + '\n');
}
