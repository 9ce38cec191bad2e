/**
 * Reading a growing metrics.jsonl from where the last read stopped: the cursor is a byte offset just past the
 * last complete line, so each poll reads only what was appended since, and a line still being written is left
 * for the next poll. A file shorter than the cursor was cut back (a resumed run rewrites it): the reader
 * starts again from 0 and says so, and the page drops what it had.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { MetricsRecord } from '../train/metrics.js';

/** Bytes read per poll at most, so a huge backlog streams in pieces instead of one allocation. */
const MAX_CHUNK = 4 << 20;
/**
 * The longest line read as a record. A metrics line is a few hundred bytes; a longer one was written by something
 * else, and is skipped (and reported) rather than held: waiting for its end would read it again at every poll.
 */
export const MAX_LINE = 1 << 20;

export interface TailRead {
  records: MetricsRecord[];
  /** Pass back next time. */
  cursor: number;
  /** The file was cut back below the cursor: records start again from the top. */
  reset: boolean;
  /** More complete lines may be waiting (the chunk limit was hit). */
  more: boolean;
  /** Lines over MAX_LINE passed over in this read, by the byte offset they start at. */
  skipped: { at: number }[];
}

/**
 * The records appended since `cursor`. The cursor sits just past a newline, or, while an over-long line is being
 * passed over, inside that line (the byte before it is not a newline): reading then resumes after the line's end.
 * Every read that says `more` moves the cursor, so a caller that polls again at once never spins in place.
 */
export function readMetricsSince(path: string, cursor: number): TailRead {
  if (!existsSync(path)) return { records: [], cursor: 0, reset: cursor > 0, more: false, skipped: [] };
  const size = statSync(path).size;
  const reset = size < cursor;
  const from = reset ? 0 : cursor;
  const length = Math.min(size - from, MAX_CHUNK);
  if (length <= 0) return { records: [], cursor: from, reset, more: false, skipped: [] };
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(length);
  let midLine = false;
  try {
    readSync(fd, buffer, 0, length, from);
    if (from > 0) {
      const before = Buffer.alloc(1);
      readSync(fd, before, 0, 1, from - 1);
      midLine = before[0] !== 0x0a;
    }
  } finally {
    closeSync(fd);
  }
  const more = from + length < size;
  // Inside an over-long line: pass over it up to its end.
  const start = midLine ? buffer.indexOf(0x0a) + 1 : 0;
  if (midLine && start === 0) return { records: [], cursor: from + length, reset, more, skipped: [] };
  const end = Math.max(start, buffer.lastIndexOf(0x0a) + 1); // just past the last complete line
  const skipped: { at: number }[] = [];
  // A line with no end in sight that is already over the limit: start passing over it now.
  if (end === start && length - start > MAX_LINE) return { records: [], cursor: from + length, reset, more, skipped: [{ at: from + start }] };
  const records = parseLines(buffer.subarray(start, end), from + start, skipped);
  return { records, cursor: from + end, reset, more, skipped };
}

/** The records among complete lines; lines over MAX_LINE are left unparsed and listed in `skipped`. */
function parseLines(bytes: Buffer, offset: number, skipped: { at: number }[]): MetricsRecord[] {
  const records: MetricsRecord[] = [];
  let at = 0;
  while (at < bytes.length) {
    const nl = bytes.indexOf(0x0a, at);
    const stop = nl < 0 ? bytes.length : nl;
    if (stop - at > MAX_LINE) skipped.push({ at: offset + at });
    else {
      const line = bytes.toString('utf8', at, stop);
      try {
        const record = line.trim() ? (JSON.parse(line) as MetricsRecord) : null;
        if (record && Number.isFinite(record.step) && record.scalars && typeof record.scalars === 'object') records.push(record);
      } catch {
        // A torn line from a killed writer; the trainer rewrites the file on resume.
      }
    }
    at = stop + 1;
  }
  return records;
}
