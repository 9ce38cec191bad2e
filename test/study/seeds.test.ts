/**
 * Hold-out seeds: a study file names the seeds it was tuned on (calibrationSeeds); its quick and full modes must
 * run on others, and the report states which seeds a run used and whether they were held out.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { seedSetText } from '../../src/report/html.js';
import { summaryJson } from '../../src/report/model.js';
import { resolveMode } from '../../src/study/expand.js';
import { parseStudy } from '../../src/study/schema.js';
import { fakeRun } from '../report/trial-results.js';
import { problemsOf } from './problems.js';

const base = { name: 's', recipe: {} };

describe('calibration seeds', () => {
  it('a full mode on a tuning seed is refused, naming seeds and calibrationSeeds', () => {
    const problems = problemsOf(() => parseStudy({ ...base, calibrationSeeds: 5, seeds: [4, 21, 22] }));
    expect(problems).toEqual([
      'seeds: got [4,21,22]; the full mode would run on the tuning seeds: seed 4 is also in calibrationSeeds (1, 2, 3, 4, 5); choose seeds among seeds the study was not tuned on',
    ]);
  });

  it('a quick mode on tuning seeds is refused, naming quick.seeds and calibrationSeeds', () => {
    const problems = problemsOf(() => parseStudy({ ...base, calibrationSeeds: [1, 2, 3], seeds: [21, 22, 23], quick: { seeds: [2, 3, 11] } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^quick\.seeds: .*seeds 2, 3 are also in calibrationSeeds \(1, 2, 3\); choose quick\.seeds/);
  });

  it('without quick.seeds the quick mode runs on seeds, so the default seeds 1-3 overlap calibrationSeeds 1-5', () => {
    expect(problemsOf(() => parseStudy({ ...base, calibrationSeeds: 5 }))[0]).toMatch(/^seeds: .*seeds 1, 2, 3 are also in calibrationSeeds/);
  });

  it('disjoint seed sets load; each mode runs on its own, and the calibration seeds travel with the resolved study', () => {
    const study = parseStudy({ ...base, calibrationSeeds: 5, seeds: [21, 22, 23, 24, 25], quick: { seeds: [11, 12, 13] } });
    expect(study.calibrationSeeds).toEqual([1, 2, 3, 4, 5]);
    const quick = resolveMode(study, 'quick');
    expect(quick.seeds).toEqual([11, 12, 13]);
    expect(quick.calibrationSeeds).toEqual([1, 2, 3, 4, 5]);
    expect(resolveMode(study, 'full').seeds).toEqual([21, 22, 23, 24, 25]);
    // The resolved copy a run stores parses again (run-dir.ts reads it back).
    expect(parseStudy(JSON.parse(JSON.stringify(quick))).seeds).toEqual([11, 12, 13]);
  });

  it('summary.json and the page state the seed set a run used', () => {
    const study = resolveMode(parseStudy({ ...base, calibrationSeeds: 5, seeds: [21, 22], quick: { seeds: [11, 12, 13] } }), 'quick');
    const report = buildReport(study, fakeRun, []);
    const json = JSON.parse(summaryJson(report));
    expect(json.seedSet).toEqual({ mode: 'quick', seeds: [11, 12, 13], calibrationSeeds: [1, 2, 3, 4, 5], heldOut: true });
    expect(seedSetText(report.seedSet!)).toBe('Seeds 11, 12, 13 (quick mode), held out from the calibration seeds 1, 2, 3, 4, 5.');
    const untuned = buildReport(resolveMode(parseStudy({ ...base, seeds: 2 }), 'full'), fakeRun, []);
    expect(untuned.seedSet).toEqual({ mode: 'full', seeds: [1, 2], calibrationSeeds: null, heldOut: false });
    expect(seedSetText(untuned.seedSet!)).toBe('Seeds 1, 2 (full mode); the study file states no calibration seeds.');
  });
});
