/**
 * The playground on its own (dist/web-playground/index.html): no server, no other page. It opens from any
 * static host or straight from disk; the URL's hash holds the run, as on the dashboard's #/playground.
 */
import { errorCard } from './dom.js';
import { playgroundPage } from './pages/playground.js';
import { parseRoute } from './route.js';

const root = document.getElementById('app')!;
// The hash is the dashboard's, so a link copied from either opens the same run in the other.
if (!location.hash.startsWith('#/playground')) history.replaceState(null, '', '#/playground');
playgroundPage(root, parseRoute(location.hash)).catch((err: Error) => root.replaceChildren(errorCard('Cannot show the playground', err.message)));
