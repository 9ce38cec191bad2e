/**
 * The playground on its own (dist/web-playground/index.html): no server, no other page. It opens from any
 * static host or straight from disk; the URL's hash holds the run, as on the dashboard's #/playground.
 */
import { errorCard } from './dom.js';
import { playgroundPage } from './pages/playground.js';
import { parseRoute } from './route.js';

const root = document.getElementById('app')!;
let cleanup: () => void = () => {};

async function render(): Promise<void> {
  cleanup();
  // The hash is the dashboard's, so a link copied from either opens the same run in the other.
  if (!location.hash.startsWith('#/playground')) history.replaceState(null, '', '#/playground');
  try {
    cleanup = await playgroundPage(root, parseRoute(location.hash));
  } catch (err) {
    root.replaceChildren(errorCard('Cannot show the playground', (err as Error).message));
  }
}

// A pasted link starts its run (the page's own URL updates use replaceState, which fires no hashchange).
window.addEventListener('hashchange', () => void render());
void render();
