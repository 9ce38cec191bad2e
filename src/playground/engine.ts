/// <reference types="vite/client" />
/**
 * The one place the playground picks its engine: the WebAssembly engine (src/model/wasm.ts, threaded where the
 * page may share memory) when it is there and starts, else the reference engine, with a note saying why.
 * wasm.ts is found with import.meta.glob, so the page builds (and falls back) before that engine exists.
 */
import type { GPTConfig } from '../model/config.js';
import type { Engine } from '../model/engine.js';
import { ReferenceEngine } from '../model/reference.js';

interface WasmModule {
  createWasmEngine(config: GPTConfig, seedOrParams: number | Float32Array, options?: { threads?: number; assetsUrl?: string }): Promise<Engine>;
  wasmThreadsAvailable(): boolean;
}

export interface EngineChoice {
  engine: Engine;
  /** What the page shows: `wasm (4 threads)`, `wasm (1 thread)`, `reference`. */
  label: string;
  /** Why a faster engine is not running, when it is not. */
  note: string | null;
}

export interface EngineRequest {
  /** `auto` tries wasm first; `reference` never does (tests, a page opened from disk). */
  prefer: 'auto' | 'reference';
  /** Why the reference engine was asked for, shown as the note. */
  reason?: string;
  /** Base URL of the dist/wasm files. */
  assetsUrl?: string;
  threads?: number;
}

/**
 * Vite (and Vitest) resolve the glob at build time: an empty object while the file does not exist. Plain Node
 * (tsx scripts) has no import.meta.glob; there the call throws and the playground runs on the reference engine.
 */
function wasmLoaders(): Record<string, () => Promise<WasmModule>> {
  try {
    return import.meta.glob<WasmModule>('../model/wasm.ts');
  } catch {
    return {};
  }
}

export async function chooseEngine(config: GPTConfig, seed: number, request: EngineRequest): Promise<EngineChoice> {
  const reference = (note: string | null): EngineChoice => ({ engine: new ReferenceEngine(config, seed), label: 'reference', note });
  if (request.prefer === 'reference') return reference(request.reason ?? null);
  const load = Object.values(wasmLoaders())[0];
  if (!load) return reference('the WebAssembly engine is not in this build; running the reference engine (TypeScript, slower)');
  try {
    const wasm = await load();
    const shared = wasm.wasmThreadsAvailable();
    const threads = shared ? Math.max(1, request.threads ?? 1) : 1;
    const engine = await wasm.createWasmEngine(config, seed, { threads, assetsUrl: request.assetsUrl });
    const note = shared ? null : 'one thread: the page is not cross-origin isolated (the host must send COOP/COEP headers)';
    return { engine, label: `wasm (${threads} thread${threads === 1 ? '' : 's'})`, note };
  } catch (err) {
    return reference(`the WebAssembly engine did not start (${(err as Error).message}); running the reference engine`);
  }
}
