/**
 * Writes a run's report files: RUN_DIR/plots/NAME.svg and .png for every plot, RUN_DIR/report.html and
 * RUN_DIR/summary.json, each atomically (a reader never sees half a file, even after a kill). Node only.
 */
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../util/files.js';
import { reportHtml } from './html.js';
import { summaryJson, type Report } from './model.js';
import { writePlot } from './render.js';

export const REPORT_FILE = 'report.html';
export const SUMMARY_FILE = 'summary.json';
export const PLOTS_DIR = 'plots';

export interface WrittenReport {
  html: string;
  summary: string;
  /** Per plot name, the SVG and PNG paths. */
  plots: Record<string, { svg: string; png: string }>;
}

export async function writeReport(runDir: string, report: Report): Promise<WrittenReport> {
  const names = new Set<string>();
  for (const p of report.plots) {
    if (names.has(p.name)) throw new Error(`report ${report.study}: two plots are named "${p.name}"`);
    names.add(p.name);
  }
  const plotsDir = join(runDir, PLOTS_DIR);
  const svgs: Record<string, string> = {};
  const plots: WrittenReport['plots'] = {};
  // One at a time: rendering is CPU-bound, and a report has a handful of plots.
  for (const p of report.plots) {
    const written = await writePlot(plotsDir, p.name, p.spec);
    svgs[p.name] = written.svg;
    plots[p.name] = { svg: written.svgPath, png: written.pngPath };
  }
  // summary.json names the plot files relative to the run directory, so a moved run still points at them.
  const relativePlots = Object.fromEntries(Object.entries(plots).map(([n, f]) => [n, { svg: relative(runDir, f.svg), png: relative(runDir, f.png) }]));
  const summary = join(runDir, SUMMARY_FILE);
  writeFileAtomic(summary, summaryJson(report, { plots: relativePlots }));
  const html = join(runDir, REPORT_FILE);
  writeFileAtomic(html, reportHtml(report, svgs));
  return { html, summary, plots };
}
