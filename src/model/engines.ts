/**
 * Engine by name, for the CLI's `--engine native|reference|wasm` (Node only: it can load the native addon
 * and reads the WebAssembly build from disk; browser code imports reference.ts or wasm.ts directly).
 *
 * Instantiating WebAssembly is asynchronous while createEngine is not: `await prepareEngine(name)` once
 * (the CLI does it for its --engine), then createEngine works synchronously for that engine.
 */
import type { GPTConfig } from './config.js';
import type { Engine, EngineName } from './engine.js';
import { NativeEngine } from './native.js';
import { ReferenceEngine } from './reference.js';
import { loadWasmModule, wasmFlavour, wasmThreads, WasmEngine, type WasmModule } from './wasm.js';
import './wasm-node.js'; // registers the loader that reads dist/wasm from disk

export const engineNames: readonly EngineName[] = ['native', 'reference', 'wasm'];

let wasm: { module: WasmModule; threads: number } | null = null;

/** CONTINUUM_THREADS when set (as for the native engine), else the wasm default (2 with shared memory). */
function wasmThreadCount(): number {
  const fromEnv = process.env.CONTINUUM_THREADS;
  return wasmThreads({ threads: fromEnv ? Number(fromEnv) : undefined });
}

/** Makes createEngine(name) ready: loads the WebAssembly module for 'wasm'; nothing to do for the others. */
export async function prepareEngine(name: EngineName): Promise<void> {
  if (name !== 'wasm' || wasm) return;
  const threads = wasmThreadCount();
  wasm = { module: await loadWasmModule(wasmFlavour(threads)), threads };
}

/** A GPT on the named engine, GPT-2-initialised from `seed` unless `params` are given. */
export function createEngine(name: EngineName, config: GPTConfig, seedOrParams: number | Float32Array = 0): Engine {
  switch (name) {
    case 'native':
      return new NativeEngine(config, seedOrParams);
    case 'reference':
      return new ReferenceEngine(config, seedOrParams);
    case 'wasm':
      if (!wasm) throw new Error("the wasm engine is not loaded: `await prepareEngine('wasm')` before createEngine('wasm', ...)");
      return new WasmEngine(wasm.module, config, seedOrParams, wasm.threads);
    default:
      throw new Error(`unknown engine "${String(name)}": choose ${engineNames.join(', ')}`);
  }
}

/** Parses a --engine flag value. */
export function parseEngineName(value: string): EngineName {
  if ((engineNames as readonly string[]).includes(value)) return value as EngineName;
  throw new Error(`unknown engine "${value}": choose ${engineNames.join(', ')}`);
}
