/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, against the built page
 * (npm test builds it) served over a runs directory holding a real study run, a train run and broken runs.
 * Screenshots of each page go to $CONTINUUM_SCREENSHOTS (default: a folder in the temp directory).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, defaultWebDir } from '../../src/server/app.js';
import { openRunStore } from '../../src/store/run-store.js';
import { writeBrokenRuns, writeStudyRun, writeTrainRun } from '../server/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'continuum.js');
const shots = process.env.CONTINUUM_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'continuum-screens-'));
// CI installs chromium (.ci/run); elsewhere the suite says why it skips instead of failing on a missing browser.
const haveBrowser = existsSync(CHROMIUM) && existsSync(join(defaultWebDir(), 'index.html'));
if (!haveBrowser && process.env.CI) throw new Error(`browser tests need ${CHROMIUM} and a built page (npm run build)`);

let runsDir: string;
let app: FastifyInstance;
let base: string;
let context: BrowserContext;
let page: Page;
let trainer: ChildProcess | null = null;
const env = { ...process.env, CONTINUUM_THREADS: '1' };

describe.skipIf(!haveBrowser)('dashboard in chromium', () => {
  beforeAll(async () => {
    runsDir = join(mkdtempSync(join(tmpdir(), 'continuum-web-')), 'runs');
    mkdirSync(runsDir);
    mkdirSync(shots, { recursive: true });
    const study = spawnSync(process.execPath, [bin, 'study', 'run', join(import.meta.dirname, 'fixtures', 'study.yaml'), '--out', join(runsDir, 'dash-study'), '--jobs', '2'], { encoding: 'utf8', env });
    if (study.status !== 0) throw new Error(`fixture study failed: ${study.stderr}`);
    writeTrainRun(runsDir, 'train-fixture', 60);
    writeStudyRun(runsDir, 'synthetic-study');
    writeBrokenRuns(runsDir);
    app = await buildServer({ runsDir, engine: 'reference' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'continuum-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1360, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Nothing may come from anywhere but the dashboard: the page works offline.
    await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
  });

  afterAll(async () => {
    trainer?.kill('SIGKILL');
    await context?.close();
    await app?.close();
  });

  const visit = async (hash: string) => {
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector('#app[aria-busy="false"]');
  };
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  it('lists the runs, with an error card for each unreadable one', async () => {
    await visit('#/runs');
    await expect.poll(() => page.locator('tr[data-run="dash-study"]').count()).toBe(1);
    expect(await page.locator('tr[data-run="dash-study"]').innerText()).toMatch(/dash[\s\S]*done[\s\S]*3\/3/);
    await expect.poll(() => page.locator('tr[data-run="train-fixture"]').count()).toBe(1);
    expect(await page.locator('.error-card').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/broken-store[\s\S]*not a readable run store/)]));
    await shot('runs');
  });

  it('draws the study run: finding, report plots and one curve per trial', async () => {
    await visit('#/run/dash-study?tag=train/loss&smooth=0.5');
    expect(await page.locator('.finding').innerText()).toMatch(/Finding\.[\s\S]*fresh-rule accuracy/);
    const curves = page.locator('.chart').first();
    await expect.poll(() => curves.getAttribute('data-series')).toBe('3');
    // Three drawn lines in the smoothed layer, one per trial, each a real path.
    const lines = curves.locator('g.mark-line.role-mark.curves_marks path');
    await expect.poll(() => lines.count()).toBe(3);
    for (const d of await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''))) expect(d).toMatch(/^M[\d.,-]+L[\d.,-]+/); // at least a segment
    expect(await curves.locator('.role-legend-label').allTextContents()).toEqual(['M=1/seed=1', 'M=4/seed=1', 'M=infinity/seed=1']);
    // The report's plots, drawn from its Vega-Lite specs: the claim's bars and the curve.
    await page.waitForSelector('.plots figure svg');
    expect(await page.locator('.plots figure').count()).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('.trials tbody tr').count()).toBe(3);
    await shot('run');
  });

  it('leads an RL run\'s page with its reward indicators', async () => {
    await visit('#/run/synthetic-study');
    // Each claim read between its floor and ceiling, as the report states it.
    expect(await page.locator('.finding table').first().innerText()).toMatch(
      /share of range[\s\S]*16 − 1\t0\.500\t\[no interval[^\]]*\]\t0\.100 \(chance\)\t0\.700 \(M = 16\)\t83%\tinconclusive \(mis-calibrated: /,
    );
    const leads = page.locator('.multiples .chart');
    await expect.poll(() => leads.evaluateAll((cs) => cs.map((c) => `${c.getAttribute('data-title')}: ${c.getAttribute('data-series')}`))).toEqual([
      'reward (mean) (rl/reward_mean): 3',
      'KL to the reference (rl/kl): 3',
    ]);
    // The chosen metric follows the leads: training loss by default.
    expect(await page.locator('.chart').nth(2).getAttribute('data-title')).toBe('training loss (train/loss)');
    await shot('run-rl');
  });

  it('filters and sorts the trials table, and overlays only the ticked trials', async () => {
    await visit('#/run/dash-study?tag=train/loss');
    await page.fill('input[type=search]', 'infinity');
    await expect.poll(() => page.locator('.trials tbody tr').count()).toBe(1);
    await page.fill('input[type=search]', '');
    await page.locator('.trials th button', { hasText: 'test exact' }).click();
    await page.locator('.trials th button', { hasText: 'test exact' }).click();
    expect(page.url()).toContain('desc=1');
    const values = (await page.locator('.trials tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trial')))).length;
    expect(values).toBe(3);
    await page.locator('input[aria-label="plot M=4/seed=1"]').uncheck();
    await expect.poll(() => page.locator('.chart').first().getAttribute('data-series')).toBe('2');
  });

  it('grows a live training curve on the open page', async () => {
    const out = join(runsDir, 'live-run');
    trainer = spawn(process.execPath, [bin, 'train', join(import.meta.dirname, 'fixtures', 'live.yaml'), '--out', out], { stdio: 'ignore', env });
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(out, 'metrics.jsonl')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await visit('#/live/live-run');
    const loss = page.locator('.chart[data-title^="training loss"]');
    await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(0);
    const first = Number(await loss.getAttribute('data-points'));
    await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(first + 100);
    expect(await loss.locator('g.mark-line.role-mark.curves_marks path').count()).toBe(1);
    await shot('live');
    trainer.kill('SIGKILL');
    trainer = null;
  });

  it('shows a study\'s trial status changes and new curves without a reload', async () => {
    await visit('#/live/synthetic-study');
    const reward = page.locator('.chart[data-title^="reward (mean)"]');
    await expect.poll(() => reward.getAttribute('data-series')).toBe('3');
    const store = openRunStore(join(runsDir, 'synthetic-study', 'store.sqlite'));
    try {
      const [trial] = store.addTrials('synthetic-study', [{ id: 'M=64/seed=1', config: {}, axes: { part: 'main', M: 64 }, seed: 1 }]);
      const chip = page.locator('.chip[data-trial="M=64/seed=1"]');
      await expect.poll(() => chip.textContent()).toMatch(/queued/);
      store.claimNextTrial('synthetic-study');
      await expect.poll(() => chip.textContent()).toMatch(/running/);
      store.logMetrics(trial.key, [0, 1, 2].map((step) => ({ step, tag: 'rl/reward_mean', value: 0.3 * step })));
      await expect.poll(() => reward.getAttribute('data-series')).toBe('4');
      store.markTrialDone(trial.key);
      await expect.poll(() => chip.textContent()).toMatch(/done/);
    } finally {
      store.close();
    }
    await shot('live-study');
  });

  it('compares two runs side by side on one metric', async () => {
    await visit('#/compare?runs=dash-study,train-fixture&tag=train/loss');
    await expect.poll(() => page.locator('.compare-card').count()).toBe(2);
    expect(await page.locator('.compare-card h2').allInnerTexts()).toEqual(['dash-study', 'train-fixture']);
    const chart = page.locator('.chart').first();
    await expect.poll(() => chart.getAttribute('data-series')).toBe('2');
    expect(await chart.locator('.role-legend-label').allTextContents()).toEqual(['dash-study (mean of 3 trials)', 'train-fixture']);
    await shot('compare');
  });

  it('refuses paths that leave the runs directory, with an error card', async () => {
    await visit('#/run/..%2F..%2Fetc');
    expect(await page.locator('.error-card').innerText()).toMatch(/refused/);
    await shot('traversal');
    const statuses = await page.evaluate(async () =>
      Promise.all(['/api/runs/..%2F..%2Fetc%2Fpasswd', '/api/runs/%2Fetc', '/api/runs/dash-study%2F..%2F..'].map(async (u) => (await fetch(u)).status)),
    );
    expect(statuses).toEqual([400, 400, 400]);
  });

  it('scores a typed answer on the tasks page', async () => {
    await visit('#/tasks?family=math/add&level=1&split=test&seed=3');
    const first = page.locator('.instance[data-index="0"]');
    const answer = await first.locator('.answer-ref').textContent();
    await first.locator('input.answer').fill(answer!);
    await expect.poll(() => first.locator('.score').getAttribute('data-score')).toBe('1');
    await first.locator('input.answer').fill('not a number');
    expect(Number(await first.locator('.score').getAttribute('data-score'))).toBeLessThan(1);
    await first.locator('input.answer').fill(answer!);
    await shot('tasks');
  });

  it('samples a completion from a trial\'s model and scores a task instance', async () => {
    await visit('#/sample?run=dash-study&family=math/add&difficulty=1&split=test&seed=0&index=0');
    await expect.poll(() => page.locator('select[aria-label=checkpoint] option').first().textContent()).toMatch(/trials\/.*model/);
    await page.locator('button', { hasText: 'Sample' }).click();
    await page.waitForSelector('.sample-out .completion');
    const score = Number(await page.locator('.sample-out .score').getAttribute('data-score'));
    expect(score >= 0 && score <= 1).toBe(true);
    await shot('sample');
  });
});
