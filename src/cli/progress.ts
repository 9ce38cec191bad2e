/**
 * Progress for long jobs: a live bar on a terminal (cli-progress), or a plain line every so often when the
 * output is a file or CI log, so logs stay readable.
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  /** fraction in [0, 1]; `fields` are shown after the bar, e.g. { loss: '1.23' }. */
  update(fraction: number, label: string, fields: Record<string, string>): void;
  /** A line that must not be overwritten by the bar (an evaluation, a checkpoint). */
  log(line: string): void;
  stop(): void;
}

export function createProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update() {}, log() {}, stop() {} };
  if (!stream.isTTY) return plainProgress(stream);
  const bar = new SingleBar(
    { format: '{label} {bar} {percentage}% | ETA {eta_formatted} | {fields}', hideCursor: true, stream, etaBuffer: 50, fps: 5, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(fraction, label, fields) {
      const payload = { label, fields: formatFields(fields) };
      if (!started) {
        bar.start(1000, 0, payload);
        started = true;
      }
      bar.update(Math.round(fraction * 1000), payload);
    },
    log(line) {
      // Print above the bar: clear the line, write, redraw.
      if (started) stream.write('\r\x1b[K');
      stream.write(line + '\n');
      if (started) bar.render();
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream): Progress {
  let lastShown = -1;
  const t0 = Date.now();
  return {
    update(fraction, label, fields) {
      const decile = Math.floor(fraction * 10);
      if (decile === lastShown) return;
      lastShown = decile;
      const elapsed = (Date.now() - t0) / 1000;
      const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : NaN;
      stream.write(`${label} ${(fraction * 100).toFixed(0).padStart(3)}% | ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'} | ${formatFields(fields)}\n`);
    },
    log(line) {
      stream.write(line + '\n');
    },
    stop() {},
  };
}

function formatFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${v}`)
    .join(' | ');
}
