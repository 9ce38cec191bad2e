#!/usr/bin/env node
// Builds the browser engine: the native kernels compiled to WebAssembly with SIMD128 by emscripten,
// in two flavours under dist/wasm/:
//   continuum-threads.{js,wasm,worker.js}  std::thread on Web Workers over shared memory (needs
//                                          SharedArrayBuffer: COOP/COEP headers in a browser)
//   continuum-single.{js,wasm}             one thread, the fallback where shared memory is not allowed
// `npm run build` runs this. Without em++ it prints what to install and skips (exit 0), so that
// `npm ci` still works; src/model/wasm-node.ts then fails with the same message when the engine is used.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_HINT = 'sudo apt-get install -y emscripten node-acorn';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'wasm');
const sources = ['gpt.cpp', 'layers.cpp', 'attention.cpp', 'flash.cpp', 'vmath.cpp', 'threads.cpp', 'sgemm-simd128.cpp', 'wasm-api.cpp'];
// Debian's em++ loads acorn from the system's Node modules.
const env = { ...process.env, NODE_PATH: [process.env.NODE_PATH, '/usr/share/nodejs'].filter(Boolean).join(':') };
const emxx = process.env.EMXX || 'em++';

const common = [
  '-O3', '-msimd128', '-std=c++17',
  '-fwasm-exceptions', // native wasm exceptions: wasm-api.cpp catches C++ errors at no cost on the hot path
  '-sMODULARIZE=1', '-sEXPORT_NAME=createContinuumWasm', '-sENVIRONMENT=web,worker,node',
  '-sALLOW_MEMORY_GROWTH=1', '-sINITIAL_MEMORY=64MB', '-sMAXIMUM_MEMORY=2GB',
  '-Wno-pthreads-mem-growth', '-sEXPORTED_FUNCTIONS=_malloc,_free', '-sEXPORTED_RUNTIME_METHODS=UTF8ToString',
];
const flavours = {
  // Workers started with the module, shared by every live engine (a team of n threads takes n - 1):
  // a thread started past the pool would wait for the event loop, which a blocked caller never yields.
  // src/model/wasm.ts WASM_MAX_THREADS says the same number.
  threads: ['-pthread', '-sPTHREAD_POOL_SIZE=8'],
  single: [],
};

const probe = spawnSync(emxx, ['--version'], { env, encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.warn(`\ncontinuum: skipping the WebAssembly engine: em++ not found. Install it with: ${INSTALL_HINT}\n`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });
// emscripten's loaders are CommonJS scripts; the repository's package.json says "type": "module".
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
for (const [name, flags] of Object.entries(flavours)) {
  const target = join(out, `continuum-${name}.js`);
  const r = spawnSync(emxx, [...common, ...flags, ...sources.map((s) => join(here, s)), '-o', target], { env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\ncontinuum: em++ failed building the ${name} WebAssembly engine (exit ${r.status})`);
    process.exit(1);
  }
  console.log(`continuum: built ${target}`);
}
