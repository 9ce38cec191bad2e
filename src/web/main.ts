/**
 * The page: a hash router over seven pages. Each page renders into #app and returns its cleanup (closing live
 * streams); a page that fails to load shows an error card instead of a blank screen.
 */
import { errorCard } from './dom.js';
import { comparePage } from './pages/compare.js';
import { livePage } from './pages/live.js';
import { playgroundPage } from './pages/playground.js';
import { runPage } from './pages/run.js';
import { runsPage } from './pages/runs.js';
import { samplePage } from './pages/sample.js';
import { tasksPage } from './pages/tasks.js';
import { parseRoute, type Route } from './route.js';

type Page = (root: HTMLElement, route: Route) => Promise<() => void>;
const PAGES: Record<string, Page> = { runs: runsPage, run: runPage, live: livePage, compare: comparePage, tasks: tasksPage, sample: samplePage, playground: playgroundPage };

const root = document.getElementById('app')!;
let cleanup: () => void = () => {};
let generation = 0;

async function render(): Promise<void> {
  const route = parseRoute(location.hash);
  const mine = ++generation;
  cleanup();
  cleanup = () => {};
  document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === route.page || (route.page === 'run' && a.dataset.page === 'runs')));
  root.setAttribute('aria-busy', 'true');
  const page = PAGES[route.page];
  try {
    if (!page) throw new Error(`there is no page "${route.page}"; try Runs`);
    const done = await page(root, route);
    // A newer navigation won while this page loaded: drop this one.
    if (mine !== generation) done();
    else cleanup = done;
  } catch (err) {
    if (mine === generation) root.replaceChildren(errorCard(`Cannot show ${route.page}${route.arg ? ` "${route.arg}"` : ''}`, (err as Error).message));
  } finally {
    if (mine === generation) root.setAttribute('aria-busy', 'false');
  }
}

window.addEventListener('hashchange', () => void render());
void render();
