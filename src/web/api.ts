/** The page's calls to the server: typed GETs, the sampling POST and the live stream. */
import type { StreamEvent } from '../api/types.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as { error?: string } | null;
  if (!response.ok) throw new ApiError(body?.error ?? `${response.status} ${response.statusText}`, response.status);
  return body as T;
}

export const getJson = async <T>(path: string): Promise<T> => parse<T>(await fetch(path));

export const postJson = async <T>(path: string, body: unknown): Promise<T> =>
  parse<T>(await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));

export const runPath = (id: string, rest = ''): string => `/api/runs/${encodeURIComponent(id)}${rest}`;

/** Follows a run's stream; returns a function that closes it. The browser reconnects after a dropped connection. */
export function followRun(id: string, tags: readonly string[], onEvent: (event: StreamEvent) => void): () => void {
  const source = new EventSource(runPath(id, `/stream?tags=${encodeURIComponent(tags.join(','))}`));
  for (const type of ['metrics', 'trials', 'reset', 'ready', 'error'] as const) {
    source.addEventListener(type, (e) => {
      // EventSource also fires a plain 'error' (no data) when the connection drops; only ours carry data.
      const data = (e as MessageEvent).data;
      if (typeof data === 'string') onEvent(JSON.parse(data) as StreamEvent);
    });
  }
  // On reconnection the server streams from the start again; the page drops what it had first.
  source.addEventListener('open', () => onEvent({ type: 'reset' }));
  return () => source.close();
}
