/**
 * The dashboard's HTTP server: the read-only JSON API over a runs directory, the live stream, sampling, and
 * the built page (dist/public). See ../api/types.ts for the routes. Nothing here writes to a run.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineName } from '../model/engine.js';
import type { PlotsResponse } from '../api/types.js';
import { BadRequestError } from './errors.js';
import { reportPlots } from './report-plots.js';
import { listRuns, openRun, withRun } from './runs.js';
import { Sampler } from './sampling.js';
import { streamRun } from './stream.js';
import { StudyRun } from './study-run.js';

export interface ServerOptions {
  runsDir: string;
  /** The built page; default dist/public of this package. null serves the API only. */
  webDir?: string | null;
  /** The browser engine's files, served under /wasm/; default dist/wasm of this package. null serves none. */
  wasmDir?: string | null;
  /**
   * The address the server binds to. On a loopback address only requests whose Host is that address, localhost,
   * 127.0.0.1 or [::1] are served, so a web page cannot reach the dashboard through DNS rebinding (its name
   * resolving to 127.0.0.1).
   */
  host?: string;
  /** The engine that samples; default native. */
  engine?: EngineName;
  /** Stream poll interval in ms. */
  pollMs?: number;
  logger?: boolean;
}

/** dist/wasm, the browser engine's build (native/build-wasm.mjs), served under /wasm/. */
export function defaultWasmDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'wasm');
}

/** dist/public, found from this file whether it runs compiled (dist/server) or from source (src/server). */
export function defaultWebDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'public');
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** A loopback address to bind to: 127.0.0.0/8 written as four numbers, or a name in LOOPBACK. */
const isLoopback = (host: string): boolean => LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
/** The name in a Host header, without its port: "localhost:4300" -> "localhost", "[::1]:4300" -> "[::1]". */
const hostName = (header: string): string => (header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]);

/**
 * The Host names a loopback-bound dashboard answers: exactly the loopback names and the address it was given
 * with --host, never a name that merely starts like one (127.attacker.example resolves wherever its owner says).
 */
function servedHosts(bound: string): Set<string> {
  return new Set([...LOOPBACK, bound, bound.includes(':') && !bound.startsWith('[') ? `[${bound}]` : bound]);
}

/** Whether an Origin header names the Host the request was sent to; an Origin that is not a URL does not. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const tagList = (value: unknown): Set<string> | null => {
  if (typeof value !== 'string' || value === '') return null;
  return new Set(value.split(',').filter(Boolean));
};

/**
 * The browser engine for the dashboard's pages: dist/wasm under /wasm/, and cross-origin isolation on every
 * response (COOP/COEP), so that pages may use SharedArrayBuffer, which the threaded flavour needs.
 */
async function serveWasm(app: FastifyInstance, wasmDir: string | null): Promise<void> {
  app.addHook('onSend', async (_req, reply) => {
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Embedder-Policy', 'require-corp');
  });
  if (wasmDir && existsSync(wasmDir)) await app.register(fastifyStatic, { root: wasmDir, prefix: '/wasm/', decorateReply: false });
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  if (!existsSync(options.runsDir)) throw new Error(`runs directory ${options.runsDir} does not exist; create it or pass --runs DIR`);
  const runsDir = realpathSync(options.runsDir);
  // Open live streams never go idle: close them too when the server stops, or Ctrl-C would wait on every open page.
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  const sampler = new Sampler(runsDir, options.engine);
  app.addHook('onClose', async () => sampler.close());
  await serveWasm(app, options.wasmDir === undefined ? defaultWasmDir() : options.wasmDir);

  const bound = options.host ?? '127.0.0.1';
  if (isLoopback(bound)) {
    const served = servedHosts(bound);
    app.addHook('onRequest', async (req, reply) => {
      if (!served.has(hostName(req.headers.host ?? ''))) return reply.status(403).send({ error: `host ${req.headers.host} refused: the dashboard serves localhost only (use --host to expose it)` });
    });
  }

  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    reply.status(status).send({ error: err.message });
  });

  type RunParams = { Params: { id: string } };
  app.get('/api/health', async () => ({ ok: true, runsDir }));
  app.get('/api/runs', async () => listRuns(runsDir));
  app.get<RunParams>('/api/runs/:id', async (req) => withRun(runsDir, req.params.id, (run) => run.detail()));
  app.get<RunParams>('/api/runs/:id/checkpoints', async (req) => withRun(runsDir, req.params.id, (run) => run.checkpoints()));
  app.get<RunParams & { Querystring: { tag?: string } }>('/api/runs/:id/metrics', async (req) => {
    if (!req.query.tag) throw new BadRequestError('give ?tag=, e.g. ?tag=train/loss');
    return withRun(runsDir, req.params.id, (run) => run.series(req.query.tag!));
  });
  app.get<RunParams>('/api/runs/:id/plots', async (req): Promise<PlotsResponse> =>
    withRun(runsDir, req.params.id, (run) =>
      run instanceof StudyRun ? reportPlots(run.dir, run.runId) : { plots: [], note: 'A training run has no report; its curves are below.' },
    ),
  );
  app.get<RunParams & { Querystring: { tags?: string } }>('/api/runs/:id/stream', async (req, reply) => {
    // Opened before the stream starts, so a bad id is an ordinary 400/404 answer, not a broken stream.
    const run = openRun(runsDir, req.params.id);
    streamRun(req, reply, run, tagList(req.query.tags), options.pollMs);
  });

  app.post('/api/sample', async (req, reply) => {
    // A page on another site must not make this machine compute: only the dashboard's own origin may post.
    const origin = req.headers.origin;
    if (origin && !sameOrigin(origin, req.headers.host)) return reply.status(403).send({ error: 'cross-origin sampling is refused' });
    return sampler.sample(req.body);
  });

  const webDir = options.webDir === undefined ? defaultWebDir() : options.webDir;
  if (webDir && existsSync(join(webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDir, index: 'index.html' });
  } else if (webDir) {
    app.get('/', async (_req, reply) =>
      reply.status(503).type('text/plain').send(`The page is not built (${webDir} has no index.html): run npm run build.`),
    );
  }
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  return app;
}
