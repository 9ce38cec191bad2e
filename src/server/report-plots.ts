/**
 * A study run's plots, built now from its store with the report's own code, so the page renders the very
 * Vega-Lite specs report.html was made from, and a running study's plots fill in as trials finish.
 */
import { join } from 'node:path';
import { openRunStore, STORE_FILE } from '../store/run-store.js';
import { buildReport } from '../report/build.js';
import { loadResults } from '../report/results.js';
import { parseStudy } from '../study/schema.js';
import type { PlotsResponse } from '../api/types.js';

export function reportPlots(dir: string, runId: string): PlotsResponse {
  const store = openRunStore(join(dir, STORE_FILE), { readonly: true });
  try {
    const run = store.getRun(runId);
    const study = parseStudy(run.spec, `${runId}/${STORE_FILE}`);
    const report = buildReport(study, run, loadResults(store, runId));
    const plots = report.plots.map((p) => ({ name: p.name, title: p.title, caption: p.caption ?? null, spec: p.spec }));
    return { plots, note: plots.length ? null : 'No plot yet: plots appear as trials finish.' };
  } finally {
    store.close();
  }
}
