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

export interface TailRead {
  records: MetricsRecord[];
  /** Pass back next time. */
  cursor: number;
  /** The file was cut back below the cursor: records start again from the top. */
  reset: boolean;
  /** More complete lines may be waiting (the chunk limit was hit). */
  more: boolean;
}

export function readMetricsSince(path: string, cursor: number): TailRead {
  if (!existsSync(path)) return { records: [], cursor: 0, reset: cursor > 0, more: false };
  const size = statSync(path).size;
  const reset = size < cursor;
  const from = reset ? 0 : cursor;
  const length = Math.min(size - from, MAX_CHUNK);
  if (length <= 0) return { records: [], cursor: from, reset, more: false };
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, from);
  } finally {
    closeSync(fd);
  }
  const end = buffer.lastIndexOf(0x0a) + 1; // just past the last complete line
  const records: MetricsRecord[] = [];
  for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as MetricsRecord;
      if (Number.isFinite(record.step) && record.scalars && typeof record.scalars === 'object') records.push(record);
    } catch {
      // A torn line from a killed writer; the trainer rewrites the file on resume.
    }
  }
  return { records, cursor: from + end, reset, more: from + length < size };
}
