/**
 * The playground in a real browser (Debian's chromium via playwright-core): the static build opened from disk
 * (file://, as a visitor double-clicks it) and the dashboard's #/playground tab over HTTP. Screenshots at
 * 1280x800 and 390x844 go to $CONTINUUM_SCREENSHOTS (default: a folder in the temp directory).
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = join(import.meta.dirname, '..', '..');
const staticPage = join(root, 'dist', 'web-playground', 'index.html');
const dashboard = join(root, 'dist', 'public');
const shots = process.env.CONTINUUM_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'continuum-playground-'));
const haveBrowser = existsSync(CHROMIUM) && existsSync(staticPage) && existsSync(join(dashboard, 'index.html'));
if (!haveBrowser && process.env.CI) throw new Error(`playground tests need ${CHROMIUM} and a built page (npm run build)`);

/** A model small enough to take 60 steps in seconds; tests put their own values before it (the first one counts). */
const small = 'family=icl/lookup&level=0&pool=inf&objective=sft&layers=2&d=16&heads=2&ctx=16&lr=0.003&batch=8&seed=3';

let browser: Browser;
let server: Server;
let base: string;

const wasmDir = join(root, 'dist', 'wasm');
const haveWasm = existsSync(join(wasmDir, 'continuum-single.wasm'));

/**
 * dist/public over HTTP with dist/wasm under /wasm/ and the COOP/COEP headers, the way `continuum serve` hosts
 * them (without the API, which the playground never asks).
 */
function serveDashboard(): Promise<string> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
  server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const [dir, rest] = url.startsWith('/wasm/') ? [wasmDir, url.slice(6)] : [dashboard, url.slice(1) || 'index.html'];
    const path = join(dir, rest);
    if (!path.startsWith(dir) || !existsSync(path)) return void res.writeHead(404).end();
    const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    res.writeHead(200, headers);
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

/** A folder over HTTP as a plain static host serves it: no cross-origin isolation headers, so no SharedArrayBuffer. */
function serveFolder(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const plain = createServer((req, res) => {
    const path = join(dir, decodeURIComponent((req.url ?? '/').split('?')[0]!).slice(1) || 'index.html');
    if (!path.startsWith(dir) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => plain.listen(0, '127.0.0.1', () => resolve({ server: plain, url: `http://127.0.0.1:${(plain.address() as { port: number }).port}` })));
}

async function open(hash: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${pathToFileURL(staticPage).href}${hash}`);
  await page.waitForSelector('.pg-status[data-engine="reference"]');
  return { page, errors };
}

const stepOf = async (page: Page) => Number(await page.locator('.pg-status').getAttribute('data-step'));
const params = (page: Page) => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');

/** Steps `n` times 10 steps and waits until the worker has done them. */
async function step(page: Page, n: number): Promise<void> {
  const target = (await stepOf(page)) + 10 * n;
  for (let i = 0; i < n; i++) await page.click('[data-action="step"]');
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(target);
}

/** The loss curve's drawn points, read from the chart (the y of the first and last point of the polyline). */
async function lossEnds(page: Page): Promise<[number, number]> {
  const points = await page.locator('[data-title="train loss"] polyline').getAttribute('points');
  const ys = (points ?? '').split(' ').map((p) => Number(p.split(',')[1]));
  return [ys[0]!, ys[ys.length - 1]!];
}

describe.skipIf(!haveBrowser)('playground in chromium', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    base = await serveDashboard();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('opens from disk with the state of its URL: the controls show it and the URL keeps it', async () => {
    const { page, errors } = await open(`#/playground?heldout=math/add&objective=mix&rl=0.3&${small}`);
    expect(await page.locator('select[name="family"]').inputValue()).toBe('icl/lookup');
    expect(await page.locator('select[name="objective"]').inputValue()).toBe('mix');
    expect(await page.locator('input[name="rl"]').inputValue()).toBe('0.3');
    expect(await page.locator('input[name="dModel"]').inputValue()).toBe('16');
    expect(await page.locator('input[name="seed"]').inputValue()).toBe('3');
    expect(await page.locator('select[name="heldout"] option:checked').allInnerTexts()).toEqual(['math/add']);
    expect(params(page).get('heldout')).toBe('math/add');
    expect(await page.locator('.pg-notes').innerText()).toMatch(/reference engine/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains: the loss falls, the curves and samples update, and one URL gives the same numbers twice', async () => {
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { page, errors } = await open(`#/playground?${small}`);
      await step(page, 6);
      const [first, last] = await lossEnds(page);
      expect(last).toBeGreaterThan(first); // svg y grows downwards: a falling loss
      await expect.poll(() => page.locator('[data-title="accuracy"] svg').getAttribute('data-points')).toBe('4'); // steps 0 and 50, train and unseen
      expect(await page.locator('.pg-sample-table tbody tr').count()).toBe(4);
      await page.click('[data-action="icl"]');
      await expect.poll(() => page.locator('[data-title^="ICL curve"] svg').getAttribute('data-points')).toBe('3');
      runs.push(`${await page.locator('.pg-status').innerText()}`.replace(/ · [\d,]+ tok\/s$/, ''));
      expect(errors).toEqual([]);
      await page.close();
    }
    expect(runs[1]).toBe(runs[0]);
    expect(runs[0]).toMatch(/step 60 · loss \d/);
  });

  it('play and pause; a change restarts the run and its URL round-trips', async () => {
    const { page, errors } = await open(`#/playground?${small}`);
    await page.click('[data-action="play"]');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThan(5);
    // Training runs off the main thread, in the run's one dedicated worker, so the page stays responsive. (How
    // long main-thread tasks last is a timing, not a behaviour: it belongs in a benchmark, not an assertion.)
    expect(page.workers()).toHaveLength(1);
    await expect.poll(() => page.locator('.pg-status').getAttribute('data-running')).toBe('true');
    await page.click('[data-action="play"]');
    await expect.poll(() => page.locator('.pg-status').getAttribute('data-running')).toBe('false');
    expect(await page.locator('[data-action="play"]').innerText()).toBe('Play');
    const paused = await stepOf(page);
    await page.waitForTimeout(600);
    expect(await stepOf(page)).toBe(paused);
    await page.selectOption('select[name="pool"]', '16');
    await page.fill('input[name="lr"]', '0.002');
    await page.locator('input[name="lr"]').dispatchEvent('change');
    await expect.poll(() => params(page).get('lr')).toBe('0.002');
    expect(params(page).get('pool')).toBe('16');
    expect(await stepOf(page)).toBe(0);
    const url = page.url();
    const again = await open(new URL(url).hash);
    expect(again.page.url()).toBe(url);
    expect(await again.page.locator('select[name="pool"]').inputValue()).toBe('16');
    expect([...errors, ...again.errors]).toEqual([]);
    await again.page.close();
    await page.close();
  });

  it('every control at its extremes, one at a time: a note where adjusted, no page error, no hang', async () => {
    const extremes = [
      'layers=1', 'layers=4', 'd=8', 'd=128', 'heads=1', 'heads=8', 'ctx=8', 'ctx=128', 'lr=0.0001', 'lr=0.01', 'lr=10',
      'batch=2', 'batch=64', 'seed=0', 'seed=999999', 'pool=1', 'pool=inf', 'objective=lm', 'objective=rl', 'objective=mix&rl=0',
      'objective=mix&rl=1', 'family=mix&mix=2', 'family=mix&mix=12', 'family=world/fetch&level=9', 'family=code/trace&ctx=8',
      'family=nope', 'heldout=math/add,logic/sat,nope', 'layers=-1&d=abc&batch=1e9',
    ];
    const { page, errors } = await open('#/playground');
    for (const extreme of extremes) {
      // URLSearchParams reads a name's first value: the extreme comes before the small model's settings.
      await page.goto(`${pathToFileURL(staticPage).href}#/playground?${extreme}&${small}`);
      await page.waitForSelector('.pg-status[data-engine="reference"]', { timeout: 60_000 });
      await page.click('[data-action="step"]');
      // The page still draws frames while the worker trains (or has stopped with a reason): a hang guard with a
      // wide bound, not a timing (a busy shared core stretches frames; a hung main thread never draws one).
      const t0 = Date.now();
      await page.evaluate(() => new Promise(requestAnimationFrame));
      expect(Date.now() - t0, extreme).toBeLessThan(10_000);
      await expect.poll(async () => (await stepOf(page)) >= 10 || /stopped/.test(await page.locator('.pg-notes').innerText()), { timeout: 90_000, message: extreme }).toBe(true);
      expect(errors, extreme).toEqual([]);
    }
    expect(await page.locator('.pg-notes').innerText()).toMatch(/layers -1 is outside|not a number/);
    await page.close();
  });

  it('the dashboard has a Playground tab: the WebAssembly engine where dist/wasm is built, one URL one run', async () => {
    const statuses: string[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${base}/#/playground?${small}`);
      await page.waitForSelector(haveWasm ? '.pg-status[data-engine^="wasm"]' : '.pg-status[data-engine="reference"]');
      expect(await page.locator('nav a.active').innerText()).toBe('Playground');
      await step(page, 6);
      const status = await page.locator('.pg-status').innerText();
      expect(status).toMatch(/[1-9][\d,]* tok\/s$/);
      statuses.push(status.replace(/ · [\d,]+ tok\/s$/, ''));
      expect(errors).toEqual([]);
      await page.close();
    }
    expect(statuses[1]).toBe(statuses[0]);
  });

  it('on a static host without COOP/COEP headers the static build runs the WebAssembly engine on one thread', async () => {
    const staticDir = join(root, 'dist', 'web-playground');
    if (!existsSync(join(staticDir, 'wasm', 'continuum-single.wasm'))) {
      if (process.env.CI) throw new Error('dist/web-playground/wasm is missing: npm run build copies dist/wasm there');
      return;
    }
    const plain = await serveFolder(staticDir);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${plain.url}/index.html#/playground?${small}`);
      await page.waitForSelector('.pg-status[data-engine="wasm (1 thread)"]');
      await step(page, 6);
      expect(await stepOf(page)).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await new Promise((resolve) => plain.server.close(resolve));
    }
  });

  it('lays out at 1280x800 and at 390x844 (screenshots)', async () => {
    for (const [name, viewport] of [['playground-wide', { width: 1280, height: 800 }], ['playground-narrow', { width: 390, height: 844 }]] as const) {
      const { page, errors } = await open(`#/playground?heldout=math/add&objective=mix&${small}`, viewport);
      await step(page, 6);
      await page.click('[data-action="icl"]');
      await expect.poll(() => page.locator('[data-title^="ICL curve"] svg').getAttribute('data-points')).toBe('3');
      // Nothing wider than the window: no sideways scrolling on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
