/**
 * `continuum study compare RUN_A RUN_B [--json]`: the same claims of two runs side by side (e.g. the quick mode on
 * seeds 11-13 and the full mode on seeds 21-25), saying where a verdict flips between the seed sets. Each run is
 * a run directory (its summary.json) or a summary.json file.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareRuns, type ClaimSide, type LinedUpClaim, type RunComparison, type RunSide, type SummaryLike } from '../report/compare.js';
import { formatInterval, formatNumber } from '../util/format.js';

export function readSummary(path: string): SummaryLike {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (!existsSync(file)) {
    const hint = existsSync(join(path, 'store.sqlite')) ? `; build it with \`continuum study report ${path}\`` : '';
    throw new Error(`study compare: ${file} does not exist${hint}`);
  }
  const data = JSON.parse(readFileSync(file, 'utf8')) as SummaryLike;
  if (data.format !== 'continuum-summary/1' || !Array.isArray(data.comparisons)) throw new Error(`study compare: ${file} is not a Continuum summary (format continuum-summary/1)`);
  return data;
}

const VERDICT: Record<string, string> = { held: 'held', not_held: 'not held', inconclusive: 'inconclusive' };

const runLine = (name: string, r: RunSide) =>
  `${name} = ${r.run}: ${r.study}, ${r.mode ?? '?'} mode, seeds ${r.seeds?.join(', ') ?? '?'}` +
  `${r.calibrationSeeds ? ` (tuned on ${r.calibrationSeeds.join(', ')})` : ''} -> ${VERDICT[r.verdict] ?? r.verdict}`;

function sideLine(name: string, s: ClaimSide | null): string {
  if (!s) return `  ${name}: not judged in this run`;
  const d = s.difference;
  const share = s.share === null ? '' : `, ${Math.round(s.share * 100)}% of floor-to-ceiling`;
  const why = s.miscalibration ? ` (${s.miscalibration})` : '';
  return `  ${name}: ${VERDICT[s.verdict]}, difference ${formatNumber(d.mean)} ${formatInterval(d)}${share}${why}`;
}

const AGREEMENT: Record<LinedUpClaim['agreement'], string> = {
  same: 'same verdict on both seed sets',
  changed: 'the verdict changes between seed sets (one is inconclusive)',
  flipped: 'THE VERDICT FLIPS between seed sets',
  missing: 'judged in one run only',
};

export function compareText(c: RunComparison): string {
  const lines = [runLine('A', c.a), runLine('B', c.b)];
  if (c.a.study !== c.b.study) lines.push(`note: the runs are of different studies (${c.a.study}, ${c.b.study}); claims are lined up by their text`);
  if (c.sharedSeeds.length) lines.push(`note: the runs share seeds ${c.sharedSeeds.join(', ')}, so they are not independent replications`);
  c.claims.forEach((claim, i) => {
    lines.push('', `${i + 1}. ${claim.text}${claim.part && claim.part !== 'main' ? ` (part ${claim.part})` : ''}: ${claim.arms}`);
    lines.push(sideLine('A', claim.a), sideLine('B', claim.b), `  -> ${AGREEMENT[claim.agreement]}`);
  });
  lines.push('', `${c.claims.length} claim(s): ${c.flipped} flip, ${c.changed} change to or from inconclusive.`);
  return lines.join('\n') + '\n';
}

export function registerStudyCompare(study: Command): void {
  study
    .command('compare')
    .description('line up the claims of two runs (e.g. quick and full mode, on different seeds) and say where a verdict flips')
    .argument('<runA>', 'a run directory or its summary.json')
    .argument('<runB>', 'a run directory or its summary.json')
    .option('--json', 'the comparison as JSON')
    .action((a: string, b: string, flags: { json?: boolean }) => {
      const comparison = compareRuns(readSummary(a), readSummary(b));
      process.stdout.write(flags.json ? JSON.stringify(comparison, null, 2) + '\n' : compareText(comparison));
    });
}
