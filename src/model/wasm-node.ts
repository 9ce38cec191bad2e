/**
 * Node's loader for the WebAssembly engine (src/model/wasm.ts): reads the emscripten build from
 * dist/wasm on disk (emscripten's own loader would try fetch() on a file path under Node 20) and
 * registers itself with setWasmLoader when imported. Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { setWasmLoader, type WasmFlavour, type WasmModule } from './wasm.js';

/** What to install when dist/wasm is missing (native/build-wasm.mjs prints the same). */
export const WASM_INSTALL_HINT = 'sudo apt-get install -y emscripten node-acorn';

// Same relative path from src/model (tests) and dist/model (the built CLI).
const dir = fileURLToPath(new URL('../../dist/wasm/', import.meta.url));

type Factory = (settings: Record<string, unknown>) => Promise<WasmModule & { PThread?: { unusedWorkers: { unref(): void }[] } }>;

/** The path of one flavour's files, or why they are missing. */
export function wasmBuildPath(flavour: WasmFlavour): string {
  const script = `${dir}continuum-${flavour}.js`;
  if (!existsSync(script) || !existsSync(script.replace(/\.js$/, '.wasm'))) {
    throw new Error(
      `the WebAssembly engine is not built (${script} is missing): install emscripten with \`${WASM_INSTALL_HINT}\`, ` +
        'then run `npm run build` (or `node native/build-wasm.mjs`)',
    );
  }
  return script;
}

export async function loadWasmModuleFromDisk(flavour: WasmFlavour): Promise<WasmModule> {
  const script = wasmBuildPath(flavour);
  const factory = createRequire(import.meta.url)(script) as Factory;
  const module = await factory({ wasmBinary: readFileSync(script.replace(/\.js$/, '.wasm')) });
  // The pthread pool's workers must not keep Node alive once the work is done.
  for (const worker of module.PThread?.unusedWorkers ?? []) worker.unref();
  return module;
}

/** Whether the WebAssembly engine is built here. */
export function wasmBuilt(): boolean {
  try {
    wasmBuildPath('single');
    wasmBuildPath('threads');
    return true;
  } catch {
    return false;
  }
}

setWasmLoader(loadWasmModuleFromDisk);
