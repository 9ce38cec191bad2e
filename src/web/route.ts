/**
 * Routes and page state live in the URL's hash, TensorFlow Playground style, so any view can be shared and
 * reloaded: #/run/<id>?tag=train/loss&smooth=0.6&sort=seed. Pure, apart from reading and writing location.
 */

export interface Route {
  page: string;
  /** The path part after the page, e.g. a run id; '' when none. */
  arg: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : body.slice(q + 1));
  const slash = path.indexOf('/');
  const page = (slash < 0 ? path : path.slice(0, slash)) || 'runs';
  const arg = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  return { page, arg, params };
}

export function routeHash(page: string, arg = '', params: Record<string, string | number | null | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') query.set(k, String(v));
  const qs = query.toString();
  return `#/${page}${arg ? `/${encodeURIComponent(arg)}` : ''}${qs ? `?${qs}` : ''}`;
}

/** Rewrites the current route's parameters in place, without a new history entry or a re-render. */
export function updateParams(changes: Record<string, string | number | null | undefined>): void {
  const route = parseRoute(location.hash);
  const params: Record<string, string> = Object.fromEntries(route.params.entries());
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') delete params[k];
    else params[k] = String(v);
  }
  history.replaceState(null, '', routeHash(route.page, route.arg, params));
}
