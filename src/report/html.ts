/**
 * report.html: one self-contained page (inline CSS, inline SVG plots, no scripts, nothing fetched) that opens
 * offline and says what the run found, whether the claim held, with every compared number's interval, the
 * plots, and the settings used. Pure string building: no Node imports.
 */
import type { Verdict } from '../stats/stats.js';
import type { Interval } from '../stats/stats.js';
import { formatInterval, formatNumber } from '../util/format.js';
import { VERDICT_RULE, type Report, type ReportTable } from './model.js';
import { formatRatio } from './ideal.js';

const CI_METHOD_NAME: Record<Interval['method'], string> = { t: 'Student t', bootstrap: 'bootstrap', 'logit-t': 'Student t; rates on the logit scale', 'log-t': 'Student t; counts and losses on the log scale' };

const VERDICT_LABEL: Record<Verdict, string> = { held: 'held', not_held: 'not held', inconclusive: 'inconclusive' };

const CSS = `
body { font: 15px/1.5 Inter, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1d1f; margin: 0; background: #fafafa; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; margin: 0 0 6px; } h2 { font-size: 19px; margin: 36px 0 10px; border-bottom: 1px solid #e3e3e3; padding-bottom: 4px; }
.claim { color: #444; font-size: 16px; margin: 4px 0 18px; }
.badge { display: inline-block; padding: 3px 12px; border-radius: 999px; font-weight: 600; font-size: 14px; color: white; vertical-align: middle; margin-left: 8px; }
.badge.held { background: #1f8a4c; } .badge.not_held { background: #c0392b; } .badge.inconclusive { background: #b7791f; }
.finding { background: white; border-left: 4px solid #888; padding: 12px 16px; margin: 12px 0; }
.finding.held { border-color: #1f8a4c; } .finding.not_held { border-color: #c0392b; } .finding.inconclusive { border-color: #b7791f; }
table { border-collapse: collapse; background: white; margin: 8px 0 4px; font-size: 14px; }
th, td { border: 1px solid #e0e0e0; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.note, .rule { color: #555; font-size: 13px; }
figure { background: white; border: 1px solid #e3e3e3; margin: 16px 0; padding: 12px; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; } figcaption { color: #444; font-size: 13px; margin-top: 6px; }
ul.notes li { margin: 4px 0; } footer { color: #777; font-size: 12px; margin-top: 40px; }
`;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A comparison's floor, ceiling (each with what it is) and its difference as a share of ceiling − floor. */
function rangeCells(c: Report['comparisons'][number]): string[] {
  const end = (e: { value: number; label: string } | null) => (e ? `${formatNumber(e.value)} (${e.label})` : '—');
  const pctOf = (x: number) => `${Math.round(x * 100)}%`;
  const share = c.share === null ? '—' : `${pctOf(c.share)}${c.shareInterval ? ` [${pctOf(c.shareInterval[0])}, ${pctOf(c.shareInterval[1])}]` : ''}`;
  return [end(c.floor), end(c.ceiling), share];
}

/** "Seeds 11, 12, 13 (quick mode), held out from the calibration seeds 1, 2, 3, 4, 5." */
export function seedSetText(set: NonNullable<Report['seedSet']>): string {
  const seeds = `Seeds ${set.seeds.join(', ')} (${set.mode} mode)`;
  if (!set.calibrationSeeds) return `${seeds}; the study file states no calibration seeds.`;
  return set.heldOut ? `${seeds}, held out from the calibration seeds ${set.calibrationSeeds.join(', ')}.` : `${seeds}, which share seeds with the calibration seeds ${set.calibrationSeeds.join(', ')}.`;
}

function table(columns: string[], rows: string[][], numeric: boolean[]): string {
  const head = `<tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((cell, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

/**
 * Makes the ids inside one inline SVG unique to it. Vega names clip paths and gradients "clip1", "gradient_0",
 * ... in every chart; several charts inline in one page would otherwise resolve url(#clip1) to the first one's.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** Flattens nested settings into dotted paths, so a reader sees "model.n_layer = 2" rather than a JSON blob. */
function flattenSettings(value: unknown, path = '', out: [string, string][] = []): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenSettings(v, path ? `${path}.${k}` : k, out);
  } else {
    out.push([path, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return out;
}

function extraTable(t: ReportTable): string {
  const numeric = t.columns.map((_, i) => t.rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const rows = t.rows.map((r) => r.map((c) => (typeof c === 'number' || c === null ? formatNumber(c) : c)));
  return `<h3>${escapeHtml(t.title)}</h3>\n${table(t.columns, rows, numeric)}${t.note ? `\n<p class="note">${escapeHtml(t.note)}</p>` : ''}`;
}

/** The page. svgs maps a plot's name to its rendered SVG; a plot without one is listed by title only. */
export function reportHtml(report: Report, svgs: Record<string, string>, generatedAt = new Date().toISOString()): string {
  const level = report.arms[0]?.ci.level ?? report.comparisons[0]?.difference.level ?? 0.95;
  const pct = `${Math.round(level * 100)}%`;
  const parts = [
    ...headline(report),
    ...comparisonsSection(report, pct),
    ...armsSection(report, pct),
    ...(report.tables ?? []).map(extraTable),
    ...plotsSection(report, svgs),
    ...notesSection(report.notes ?? []),
    '<h2>Settings used</h2>',
    table(['setting', 'value'], flattenSettings(report.settings), [false, false]),
    `<footer>Generated ${escapeHtml(generatedAt)} by Continuum. Every number on this page is also in summary.json.</footer>`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)} — ${VERDICT_LABEL[report.verdict]}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${parts.join('\n')}
</main>
</body>
</html>
`;
}

/** Title with the verdict's badge, the claim, the finding, and how many trials it rests on. */
function headline(report: Report): string[] {
  const v = report.verdict;
  const { done, failed, total } = report.run.trials;
  return [
    `<h1>${escapeHtml(report.title)} <span class="badge ${v}">${VERDICT_LABEL[v]}</span></h1>`,
    `<p class="claim"><strong>Claim:</strong> ${escapeHtml(report.claim)}</p>`,
    `<div class="finding ${v}"><strong>Finding.</strong> ${escapeHtml(report.finding)}</div>`,
    `<p class="note">Run <code>${escapeHtml(report.run.id)}</code>: ${done} of ${total} trials done${failed ? `, <strong>${failed} failed</strong>` : ''}.${report.seedSet ? ` ${escapeHtml(seedSetText(report.seedSet))}` : ''}</p>`,
  ];
}

/** The paired differences the verdict is judged on, with the rule that judges them. */
function comparisonsSection(report: Report, pct: string): string[] {
  if (report.comparisons.length === 0) return [];
  // A count beside an ideal learner's: "b 43× · a 1.2×" (the model's count over the ideal one, per arm).
  const withIdeal = report.comparisons.some((c) => c.ideal);
  const idealCell = (c: Report['comparisons'][number]) => {
    const parts = c.ideal ? [[c.b, c.ideal.b], [c.a, c.ideal.a]].flatMap(([arm, r]) => (r && typeof r === 'object' ? [`${arm}: ${formatRatio(r.ratio)} of ${formatNumber(r.ideal)}`] : [])) : [];
    return parts.length ? parts.join('; ') : '—';
  };
  const rows = report.comparisons.map((c) => [
    c.metric,
    `${c.b} − ${c.a}`,
    `${c.direction}${c.minEffect > 0 ? ` of ≥ ${formatNumber(c.minEffect)}` : ''}`,
    formatNumber(c.difference.mean),
    formatInterval(c.difference),
    ...rangeCells(c),
    ...(withIdeal ? [idealCell(c)] : []),
    c.miscalibration ? `${VERDICT_LABEL[c.verdict]} (${c.miscalibration})` : VERDICT_LABEL[c.verdict],
  ]);
  const columns = ['metric', 'difference', 'claimed', 'mean', `${pct} CI`, 'floor', 'ceiling', 'share of range', ...(withIdeal ? ['model / ideal learner'] : []), 'verdict'];
  return [
    '<h2>What the verdict rests on</h2>',
    table(columns, rows, [false, false, false, true, true, false, false, true, ...(withIdeal ? [false] : []), false]),
    `<p class="rule">${escapeHtml(VERDICT_RULE)}</p>`,
  ];
}

function armsSection(report: Report, pct: string): string[] {
  if (report.arms.length === 0) return [];
  const rows = report.arms.map((a) => [a.arm, a.metric, String(a.ci.n), formatNumber(a.ci.mean), formatInterval(a.ci), a.values.map((x) => formatNumber(x)).join(', ')]);
  // Rates, counts and losses of one report get intervals of different kinds: the heading names each one used.
  const methods = [...new Set(report.arms.map((a) => CI_METHOD_NAME[a.ci.method]))].join(' or ');
  return ['<h2>Per-arm means</h2>', table(['arm', 'metric', 'seeds', 'mean', `${pct} CI (${methods})`, 'per seed'], rows, [false, false, true, true, true, false])];
}

function plotsSection(report: Report, svgs: Record<string, string>): string[] {
  if (report.plots.length === 0) return [];
  const figures = report.plots.map((p, i) => {
    const svg = svgs[p.name];
    const body = svg ? scopeSvgIds(svg, `plot${i}`) : `<p class="note">(plot ${escapeHtml(p.name)} was not rendered)</p>`;
    return `<figure id="plot-${escapeHtml(p.name)}">\n${body}\n<figcaption><strong>${escapeHtml(p.title)}.</strong> ${escapeHtml(p.caption ?? '')}</figcaption>\n</figure>`;
  });
  return ['<h2>Plots</h2>', ...figures];
}

function notesSection(notes: string[]): string[] {
  if (notes.length === 0) return [];
  return ['<h2>Notes</h2>', `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`];
}
