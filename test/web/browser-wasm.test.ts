/**
 * The WebAssembly engine inside Chromium (playwright-core driving Debian's chromium, as browser.test.ts does):
 * the dashboard server (src/server) serves dist/wasm under /wasm/ with COOP/COEP headers, and a test page
 * (test/model/wasm-agreement.ts bundled with esbuild) runs the same agreement checks as wasm.test.ts,
 * on the threaded flavour (2 threads, shared memory) and on the single-thread flavour.
 * Fails, never skips, when dist/wasm is not built.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { wasmBuildPath } from '../../src/model/wasm-node.js';
import { buildServer } from '../../src/server/app.js';
import type { AgreementReport } from '../model/wasm-agreement.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = join(import.meta.dirname, '..', '..');
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`browser tests need ${CHROMIUM}`);

// The page: runs the checks with createWasmEngine from the served /wasm/ files.
const ENTRY = `
import { createWasmEngine, loadWasmModule, wasmThreadsAvailable } from ${JSON.stringify(join(root, 'src/model/wasm.ts'))};
import { wasmAgreement } from ${JSON.stringify(join(root, 'test/model/wasm-agreement.ts'))};
window.wasmThreadsAvailable = wasmThreadsAvailable;
window.teamProbe = async () => (await loadWasmModule('threads', { assetsUrl: '/wasm/' }))._cm_team_probe(2, 200);
window.runAgreement = (threads) => wasmAgreement((cfg, params) => createWasmEngine(cfg, params, { threads, assetsUrl: '/wasm/' }));
// Training speed on model R1 (bench's train figure: 16 x 128 tokens, forward + backward + AdamW), best of the timed steps.
window.benchTrain = async (threads, steps) => {
  const R1 = { vocabSize: 64, contextLength: 128, dModel: 128, nHeads: 4, nLayers: 4, mlpRatio: 4, bias: true };
  const engine = await createWasmEngine(R1, 1, { threads, assetsUrl: '/wasm/' });
  const tokens = Int32Array.from({ length: 16 * 129 }, (_, i) => (i * 7919) % 64);
  const weights = new Float32Array(16 * 128).fill(1);
  const opt = { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
  let best = 0;
  for (let i = 0; i < steps + 2; i++) {
    const t0 = performance.now();
    engine.forwardBackward(tokens, weights, 16, 128);
    engine.step(opt);
    if (i >= 2) best = Math.max(best, (16 * 128 * 1000) / (performance.now() - t0));
  }
  engine.dispose();
  return Math.round(best);
};
window.defaultThreads = async () => (await createWasmEngine({ vocabSize: 5, contextLength: 4, dModel: 8, nHeads: 2, nLayers: 1, mlpRatio: 4, bias: true }, 1)).threads;
`;

async function writePage(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await build({ stdin: { contents: ENTRY, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', outfile: join(dir, 'page.js'), logLevel: 'error' });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>wasm</title><script type="module" src="page.js"></script>\n');
}

let app: FastifyInstance;
let base: string;
let context: BrowserContext;
let page: Page;

describe.skipIf(!haveBrowser)('wasm engine in chromium', () => {
  beforeAll(async () => {
    wasmBuildPath('threads'); // throws what to install when the engine is not built
    const tmp = mkdtempSync(join(tmpdir(), 'continuum-wasm-web-'));
    mkdirSync(join(tmp, 'runs'));
    await writePage(join(tmp, 'page'));
    app = await buildServer({ runsDir: join(tmp, 'runs'), webDir: join(tmp, 'page'), engine: 'reference' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'continuum-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => console.error('page error:', err.message));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => 'runAgreement' in window);
  });

  afterAll(async () => {
    await context?.close();
    await app?.close();
  });

  it('the server makes the page cross-origin isolated and serves /wasm/', async () => {
    const r = await app.inject({ method: 'GET', url: '/wasm/continuum-threads.wasm' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { wasmThreadsAvailable(): boolean }).wasmThreadsAvailable())).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { defaultThreads(): Promise<number> }).defaultThreads())).toBe(2);
    // Both threads of a team run chunks: the pthread worker really runs in the page.
    expect(await page.evaluate(() => (window as unknown as { teamProbe(): Promise<number> }).teamProbe())).toBe(2);
  });

  it('trains model R1 on both flavours (tok/s printed; CONTINUUM_WASM_BENCH_STEPS sets the timed steps)', async () => {
    const steps = Number(process.env.CONTINUUM_WASM_BENCH_STEPS ?? 2);
    const rate = (n: number) => page.evaluate(([t, s]) => (window as unknown as { benchTrain(t: number, s: number): Promise<number> }).benchTrain(t, s), [n, steps]);
    const two = await rate(2);
    const one = await rate(1);
    console.log(`chromium, model R1 training: threads flavour (2 threads) ${two} tok/s, single-thread flavour ${one} tok/s`);
    expect(two).toBeGreaterThan(0);
    expect(one).toBeGreaterThan(0);
  });

  for (const threads of [2, 1]) {
    it(`matches the reference engine in the browser, ${threads === 2 ? 'threads flavour (2 threads)' : 'single-thread flavour'}`, async () => {
      const report = await page.evaluate((n) => (window as unknown as { runAgreement(n: number): Promise<AgreementReport> }).runAgreement(n), threads);
      for (const [name, err] of Object.entries(report.errors)) expect(err, name).toBeLessThan(1e-4);
      expect(report.cacheError).toBeLessThan(1e-4);
      expect(report.generationAgrees).toBe(true);
      expect(report.reproducible).toBe(true);
    });
  }
});
