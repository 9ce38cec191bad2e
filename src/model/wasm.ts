/**
 * The browser engine: the native engine's C++ (native/*.cpp) compiled to WebAssembly with SIMD128 by
 * native/build-wasm.mjs, behind the same Engine interface. Two flavours: `threads` (the ThreadTeam on
 * Web Workers over shared memory; needs SharedArrayBuffer, i.e. COOP/COEP headers in a browser) and
 * `single` (one thread, the fallback). Results do not depend on the thread count's scheduling: the
 * team reduces per chunk in chunk order, so a seeded run is bit-reproducible.
 *
 * Params, grads and the AdamW moments live in the wasm heap and are exposed as Float32Array views. The
 * heap can grow (a larger batch needs a larger arena); growing a non-shared memory detaches old views,
 * so every getter re-derives its view when the heap's buffer changed: read `engine.params` afresh
 * after a call rather than keeping the array across calls.
 *
 * Browser-safe: no Node-only import. In Node, src/model/wasm-node.ts registers a loader that reads
 * dist/wasm from disk (engines.ts imports it); in a browser the files are fetched from `assetsUrl`.
 */
import { checkTokenShape, paramLayout, type GPTConfig } from './config.js';
import type { AdamWConfig, Engine, ForwardBackwardResult, InferenceSession, OptimizerState } from './engine.js';
import { initParams } from './init.js';

export interface WasmOptions {
  /** Threads in the engine's team; default: 2 when SharedArrayBuffer is usable, else 1 (the single flavour). */
  threads?: number;
  /** Base URL of the dist/wasm files in a browser; default '/wasm/' (where the dashboard serves them). */
  assetsUrl?: string;
}

export type WasmFlavour = 'threads' | 'single';

/** The emscripten module's surface (native/wasm-api.cpp). Pointers are byte offsets into the heap. */
export interface WasmModule {
  HEAPU8: Uint8Array;
  /** The threads flavour's shared memory (its buffer is always current, even after another thread grew it). */
  wasmMemory?: WebAssembly.Memory;
  UTF8ToString(ptr: number): string;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _cm_last_error(): number;
  _cm_param_count(V: number, ctx: number, C: number, H: number, L: number, mlp: number): number;
  _cm_model_create(V: number, ctx: number, C: number, H: number, L: number, mlp: number, params: number, grads: number, m: number, v: number, threads: number): number;
  _cm_model_free(model: number): void;
  _cm_forward_backward(model: number, tokens: number, weights: number, B: number, T: number, normalizer: number, logp: number): number;
  _cm_logprobs(model: number, tokens: number, B: number, T: number, out: number): number;
  _cm_logits(model: number, tokens: number, B: number, T: number, out: number): number;
  _cm_step(model: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, gradClip: number, t: number): number;
  _cm_session_create(model: number, batch: number, lengths: number): number;
  _cm_session_free(session: number): void;
  _cm_session_prefill(session: number, row: number, tokens: number, n: number, out: number): number;
  _cm_session_decode(session: number, rows: number, tokens: number, n: number, out: number): number;
  /** Distinct team threads that ran chunks of one region (for tests: shows the workers run). */
  _cm_team_probe(threads: number, chunks: number): number;
}

/** Loads (instantiates) one flavour of the module. */
export type WasmLoader = (flavour: WasmFlavour, options: WasmOptions) => Promise<WasmModule>;

/** Whether the threaded flavour can run here: shared memory is allowed (cross-origin isolated in a browser). */
export function wasmThreadsAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer !== 'undefined' && g.crossOriginIsolated !== false;
}

/** The flavour a thread count needs: one thread runs the single flavour, which needs no shared memory. */
export function wasmFlavour(threads: number): WasmFlavour {
  return threads > 1 ? 'threads' : 'single';
}

let loader: WasmLoader = loadInBrowser;
const modules = new Map<string, Promise<WasmModule>>();

/** Replaces the loader (wasm-node.ts registers one that reads dist/wasm from disk). */
export function setWasmLoader(load: WasmLoader): void {
  loader = load;
  modules.clear();
}

/** The module of one flavour, instantiated once per flavour and assets URL and shared by its engines. */
export function loadWasmModule(flavour: WasmFlavour, options: WasmOptions = {}): Promise<WasmModule> {
  const key = `${flavour} ${options.assetsUrl ?? ''}`;
  let module = modules.get(key);
  if (!module) {
    module = loader(flavour, options);
    modules.set(key, module);
    module.catch(() => modules.delete(key)); // a failed load may be retried
  }
  return module;
}

/** Threads one engine may use: the threaded flavour's pool of workers (native/build-wasm.mjs PTHREAD_POOL_SIZE). */
export const WASM_MAX_THREADS = 8;

/** Resolves the thread count of options, checking that the threaded flavour can run when asked for. */
export function wasmThreads(options: WasmOptions = {}): number {
  const threads = options.threads ?? (wasmThreadsAvailable() ? 2 : 1);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= WASM_MAX_THREADS)) {
    throw new Error(`WasmEngine: threads must be an integer from 1 to ${WASM_MAX_THREADS}, got ${threads}`);
  }
  if (threads > 1 && !wasmThreadsAvailable()) {
    throw new Error(
      `WasmEngine: ${threads} threads need SharedArrayBuffer, which this page may not use: serve it with ` +
        "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp', or use threads: 1",
    );
  }
  return threads;
}

/** A GPT on the WebAssembly engine, GPT-2-initialised from `seed` unless `params` are given. */
export async function createWasmEngine(config: GPTConfig, seedOrParams: number | Float32Array, options: WasmOptions = {}): Promise<Engine> {
  const threads = wasmThreads(options);
  const module = await loadWasmModule(wasmFlavour(threads), options);
  return new WasmEngine(module, config, seedOrParams, threads);
}

type EmscriptenFactory = (settings: Record<string, unknown>) => Promise<WasmModule>;

/**
 * The browser's loader: fetches the emscripten script and the .wasm from assetsUrl. The script is a
 * classic (non-module) script, evaluated here so that it also loads inside module Web Workers; the
 * pthread workers load it again by URL (mainScriptUrlOrBlob).
 */
async function loadInBrowser(flavour: WasmFlavour, options: WasmOptions): Promise<WasmModule> {
  if (typeof fetch !== 'function' || typeof location === 'undefined') {
    throw new Error('the WebAssembly engine has no loader here: in Node, import src/model/wasm-node.ts (it reads dist/wasm from disk)');
  }
  const base = new URL(options.assetsUrl ?? '/wasm/', location.href);
  const scriptUrl = new URL(`continuum-${flavour}.js`, base).href;
  const fetchOk = async (url: string): Promise<Response> => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`the WebAssembly engine could not load ${url}: HTTP ${r.status}`);
    return r;
  };
  const [script, wasm] = await Promise.all([
    fetchOk(scriptUrl).then((r) => r.text()),
    fetchOk(new URL(`continuum-${flavour}.wasm`, base).href).then((r) => r.arrayBuffer()),
  ]);
  const factory = new Function(`${script}\nreturn createContinuumWasm;`)() as EmscriptenFactory;
  return factory({ wasmBinary: new Uint8Array(wasm), mainScriptUrlOrBlob: scriptUrl, locateFile: (path: string) => new URL(path, base).href });
}

/** Typed views into the heap, re-derived whenever the heap's buffer changed (memory growth). */
class Heap {
  constructor(private readonly module: WasmModule) {}

  buffer(): ArrayBufferLike {
    return this.module.wasmMemory?.buffer ?? this.module.HEAPU8.buffer;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.buffer(), ptr, n);
  }

  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.buffer(), ptr, n);
  }

  /** Copies `values` into freshly allocated heap memory; returns its pointer (free it with free()). */
  put(values: Float32Array | Int32Array): number {
    const ptr = this.alloc(values.length);
    (values instanceof Float32Array ? this.f32(ptr, values.length) : this.i32(ptr, values.length)).set(values);
    return ptr;
  }

  alloc(floats: number): number {
    const ptr = this.module._malloc(Math.max(1, floats) * 4);
    if (ptr === 0) throw new Error(`the WebAssembly engine is out of memory (allocating ${floats * 4} bytes)`);
    return ptr;
  }

  free(...ptrs: number[]): void {
    for (const p of ptrs) this.module._free(p);
  }

  /** Throws the message of the last failed C++ call, if it failed. */
  check(what: string): void {
    const message = this.module.UTF8ToString(this.module._cm_last_error());
    if (message) throw new Error(`${what}: ${message}`);
  }
}

/** One Float32Array view of the heap that stays valid across memory growth. */
class HeapArray {
  private view: Float32Array;
  constructor(private readonly heap: Heap, readonly ptr: number, private readonly n: number) {
    this.view = heap.f32(ptr, n);
  }

  get(): Float32Array {
    if (this.view.buffer !== this.heap.buffer()) this.view = this.heap.f32(this.ptr, this.n);
    return this.view;
  }

  /** Assigning (as a checkpoint loader may) copies into the heap buffer instead of replacing it. */
  set(values: Float32Array, what: string): void {
    const dst = this.get();
    if (values.length !== dst.length) throw new Error(`${what}: expected ${dst.length} values, got ${values.length}`);
    if (values !== dst) dst.set(values);
  }
}

class HeapOptimizerState implements OptimizerState {
  t = 0;
  constructor(private readonly mBuf: HeapArray, private readonly vBuf: HeapArray) {}
  get m(): Float32Array {
    return this.mBuf.get();
  }
  set m(values: Float32Array) {
    this.mBuf.set(values, 'optimizer.m');
  }
  get v(): Float32Array {
    return this.vBuf.get();
  }
  set v(values: Float32Array) {
    this.vBuf.set(values, 'optimizer.v');
  }
}

export class WasmEngine implements Engine {
  readonly name = 'wasm' as const;
  readonly config: GPTConfig;
  readonly optimizer: OptimizerState;
  /** Threads in the engine's thread team. */
  readonly threads: number;
  private readonly heap: Heap;
  private readonly buffers: HeapArray[];
  private model: number;
  private readonly sessions = new Set<() => void>();

  /** A GPT on an instantiated module (see loadWasmModule); `threads` > 1 needs the threads flavour. */
  constructor(private readonly module: WasmModule, config: GPTConfig, seedOrParams: number | Float32Array = 0, threads = 1) {
    this.config = config;
    this.threads = threads;
    this.heap = new Heap(module);
    const { total } = paramLayout(config);
    if (typeof seedOrParams !== 'number' && seedOrParams.length !== total) {
      throw new Error(`WasmEngine: expected ${total} parameters, got ${seedOrParams.length}`);
    }
    this.buffers = [0, 1, 2, 3].map(() => {
      const ptr = this.heap.alloc(total);
      this.heap.f32(ptr, total).fill(0);
      return new HeapArray(this.heap, ptr, total);
    });
    if (typeof seedOrParams === 'number') initParams(config, seedOrParams, this.params);
    else this.params.set(seedOrParams);
    this.optimizer = new HeapOptimizerState(this.buffers[2], this.buffers[3]);
    const { vocabSize, contextLength, dModel, nHeads, nLayers, mlpRatio } = config;
    const [p, g, m, v] = this.buffers.map((b) => b.ptr);
    this.model = module._cm_model_create(vocabSize, contextLength, dModel, nHeads, nLayers, mlpRatio, p, g, m, v, threads);
    if (this.model === 0) {
      this.heap.free(p, g, m, v);
      this.heap.check('WasmEngine');
      throw new Error('WasmEngine: the model could not be created');
    }
  }

  get params(): Float32Array {
    return this.buffers[0].get();
  }

  get grads(): Float32Array {
    return this.buffers[1].get();
  }

  forwardBackward(tokens: Int32Array, weights: Float32Array, B: number, T: number, normalizer?: number): ForwardBackwardResult {
    checkTokenShape(this.config, tokens, B, T, 1);
    if (weights.length !== B * T) throw new Error(`weights must hold B*T = ${B * T} values, got ${weights.length}`);
    let nonzero = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) nonzero++;
    const norm = normalizer ?? Math.max(1, nonzero);
    if (!(norm > 0 && Number.isFinite(norm))) throw new Error(`normalizer must be positive and finite, got ${norm}`);
    const h = this.heap;
    const [tp, wp, out] = [h.put(tokens), h.put(weights), h.alloc(B * T)];
    try {
      const loss = this.module._cm_forward_backward(this.live(), tp, wp, B, T, norm, out);
      h.check('forwardBackward');
      return { loss, logprobs: h.f32(out, B * T).slice() };
    } finally {
      h.free(tp, wp, out);
    }
  }

  logprobs(tokens: Int32Array, B: number, T: number): Float32Array {
    checkTokenShape(this.config, tokens, B, T, 1);
    return this.withOutput(tokens, B * T, 'logprobs', (tp, out) => this.module._cm_logprobs(this.live(), tp, B, T, out));
  }

  logits(tokens: Int32Array, B: number, T: number): Float32Array {
    checkTokenShape(this.config, tokens, B, T, 0);
    return this.withOutput(tokens, B * T * this.config.vocabSize, 'logits', (tp, out) => this.module._cm_logits(this.live(), tp, B, T, out));
  }

  step(opt: AdamWConfig): number {
    const state = this.optimizer;
    const norm = this.module._cm_step(this.live(), opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weightDecay, opt.gradClip, state.t + 1);
    this.heap.check('step');
    // A non-finite norm updates nothing (as in the reference): the step count stays.
    if (Number.isFinite(norm)) state.t += 1;
    return norm;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  createInferenceSession(batch: number): InferenceSession {
    if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`batch must be a positive integer, got ${batch}`);
    return new WasmSession(this.module, this.heap, this.live(), batch, this.config.vocabSize, this.sessions);
  }

  dispose(): void {
    if (this.model === 0) return;
    for (const close of [...this.sessions]) close(); // a session must not outlive the weights it reads
    this.module._cm_model_free(this.model);
    this.model = 0;
    this.heap.free(...this.buffers.map((b) => b.ptr));
  }

  /** Copies `input` into the heap, runs `call(inputPtr, outPtr)`, returns a copy of the `n` outputs. */
  private withOutput(input: Int32Array, n: number, what: string, call: (inp: number, out: number) => void): Float32Array {
    const h = this.heap;
    const [ip, out] = [h.put(input), h.alloc(n)];
    try {
      call(ip, out);
      h.check(what);
      return h.f32(out, n).slice();
    } finally {
      h.free(ip, out);
    }
  }

  private live(): number {
    if (this.model === 0) throw new Error('this wasm engine was disposed');
    return this.model;
  }

}

/** The KV cache of native/gpt.h in the heap; `lengths` is a heap view the C++ side advances. */
class WasmSession implements InferenceSession {
  private session: number;
  private readonly lengthsPtr: number;

  constructor(
    private readonly module: WasmModule,
    private readonly heap: Heap,
    model: number,
    readonly batch: number,
    private readonly V: number,
    private readonly open: Set<() => void>,
  ) {
    this.lengthsPtr = heap.alloc(batch);
    heap.i32(this.lengthsPtr, batch).fill(0);
    this.session = module._cm_session_create(model, batch, this.lengthsPtr);
    if (this.session === 0) {
      heap.free(this.lengthsPtr);
      heap.check('createInferenceSession');
    }
    open.add(this.close);
  }

  get lengths(): Int32Array {
    return this.heap.i32(this.lengthsPtr, this.batch);
  }

  prefill(row: number, tokens: Int32Array): Float32Array {
    return this.call(tokens, null, this.V, 'prefill', (tp, _, out) => this.module._cm_session_prefill(this.live(), row, tp, tokens.length, out));
  }

  decode(rows: Int32Array, tokens: Int32Array): Float32Array {
    if (rows.length !== tokens.length) throw new Error(`decode: ${rows.length} rows but ${tokens.length} tokens; give one token per row`);
    return this.call(tokens, rows, rows.length * this.V, 'decode', (tp, rp, out) => this.module._cm_session_decode(this.live(), rp, tp, rows.length, out));
  }

  dispose(): void {
    this.close();
  }

  private readonly close = (): void => {
    if (this.session === 0) return;
    this.module._cm_session_free(this.session);
    this.heap.free(this.lengthsPtr);
    this.session = 0;
    this.open.delete(this.close);
  };

  private call(tokens: Int32Array, rows: Int32Array | null, n: number, what: string, run: (tp: number, rp: number, out: number) => void): Float32Array {
    const h = this.heap;
    const tp = h.put(tokens), rp = rows ? h.put(rows) : 0, out = h.alloc(n);
    try {
      run(tp, rp, out);
      h.check(what);
      return h.f32(out, n).slice();
    } finally {
      h.free(tp, out);
      if (rp) h.free(rp);
    }
  }

  private live(): number {
    if (this.session === 0) throw new Error('the inference session was disposed');
    return this.session;
  }
}
