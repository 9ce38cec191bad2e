/**
 * The live feed of one run as server-sent events: the backlog first (in batches, then `ready`), then every
 * row as it is written, and the trial list whenever a status changes. Each connection polls its own cursor
 * (a byte offset into metrics.jsonl, or the store's metric id) every POLL_MS: only new rows are read, never
 * the whole file again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StreamEvent } from '../api/types.js';
import type { RunSource } from './run-source.js';

export const POLL_MS = 250;
/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

export function streamRun(request: FastifyRequest, reply: FastifyReply, source: RunSource, tags: ReadonlySet<string> | null, pollMs = POLL_MS): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
  });
  const send = (event: StreamEvent) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  const follower = source.follow(tags);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let lastState = '';
  let ready = false;
  let lastWrite = Date.now();

  const tick = () => {
    if (closed) return;
    let more = false;
    try {
      const poll = follower.poll();
      if (poll.reset) send({ type: 'reset' });
      if (poll.rows.length) send({ type: 'metrics', rows: poll.rows });
      for (const note of poll.notes ?? []) send({ type: 'error', error: note });
      more = poll.more;
      if (!more) {
        const state = follower.state();
        const signature = JSON.stringify(state);
        if (signature !== lastState) {
          lastState = signature;
          send({ type: 'trials', ...state });
        }
        if (!ready) {
          ready = true;
          send({ type: 'ready' });
        }
      }
      if (poll.rows.length || more) lastWrite = Date.now();
      else if (Date.now() - lastWrite > HEARTBEAT_MS) {
        res.write(': heartbeat\n\n');
        lastWrite = Date.now();
      }
    } catch (err) {
      send({ type: 'error', error: (err as Error).message });
    }
    // A backlog drains batch after batch without waiting; then one poll per interval.
    timer = more ? setTimeout(tick, 0) : setTimeout(tick, pollMs);
  };

  request.raw.on('close', () => {
    closed = true;
    clearTimeout(timer);
    follower.close();
    source.close();
  });
  tick();
}
