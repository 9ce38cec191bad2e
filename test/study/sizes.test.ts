/**
 * A study's size is checked before trials start (src/study/sizes.ts), at `study run` and again at `study
 * resume`: a trial that cannot fit refuses the study with its figures, nothing is created; fewer trials run at
 * once when memory is short; a long study states its estimated time first.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipeFootprint } from '../../src/train/footprint.js';
import { parseRecipe } from '../../src/train/recipe.js';
import { modelConfigOf } from '../../src/train/trainer.js';
import { createRunDir } from '../../src/study/run-dir.js';
import { reopenStudy, startStudy } from '../../src/study/runner.js';
import { parseStudy } from '../../src/study/schema.js';
import { formatDuration, planTrials } from '../../src/study/sizes.js';

const GiB = 2 ** 30;
const model = { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 };
const stage = { objective: 'sft', tasks: { families: ['math/compare'] }, budget: { steps: 5 }, batchSize: 4 };
const recipe = (m: Record<string, unknown> = {}, s: Record<string, unknown> = {}) => parseRecipe({ model: { ...model, ...m }, stages: [{ ...stage, ...s }] });
const trials = (n: number, r = recipe()) => Array.from({ length: n }, (_, i) => ({ id: `seed=${i + 1}`, recipe: r }));

describe('study sizes', () => {
  it('a study with a trial of dModel 65536 is refused, once per problem, and no run directory is made', () => {
    const study = parseStudy({ name: 'big', seeds: [1, 2, 3], recipe: { model, stages: [stage] }, sweep: { axes: { 'model.dModel': { name: 'd', values: [16, 65536] } } } });
    const dir = join(mkdtempSync(join(tmpdir(), 'continuum-sizes-')), 'run');
    expect(() => startStudy(study, 'full', dir, 1)).toThrow(
      'the study does not fit this machine:\n  - trial d=65536/seed=1 (and 2 more): recipe.model (nLayers 1, dModel 65536, contextLength 16) has 5.2e10 parameters; one buffer holds at most 4.3e9: lower dModel or nLayers',
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('runs fewer trials at once when the jobs asked for would not fit in memory, and says so', () => {
    const wide = recipe({ dModel: 256, nHeads: 4, nLayers: 4 }, { batchSize: 64 });
    const { bytes } = recipeFootprint(wide, modelConfigOf(wide));
    // Room for three and a half trials in the 80% that trials may use.
    expect(planTrials(trials(8, wide), 8, (3.5 * bytes) / 0.8)).toEqual({
      jobs: 3,
      notes: [expect.stringMatching(/^running 3 trial\(s\) at once instead of 8: each needs up to \d+ MiB and 8 would not fit in 80% of this machine's \S+ MiB$/)],
    });
    expect(planTrials(trials(8, wide), 8, 64 * GiB)).toEqual({ jobs: 8, notes: [] });
  });

  it('a long study states its estimated time, the FLOPs and the assumed rate; a short one says nothing', () => {
    const long = planTrials(trials(4, recipe({}, { budget: { steps: 1e9 } })), 2, 64 * GiB);
    expect(long.notes).toEqual([expect.stringMatching(/^estimated time: about \d+\.\d (days|h) for 4 trial\(s\), 2 at once \(\S+ FLOPs of training at 1 GFLOP\/s per unit of dModel, at most 60 GFLOP\/s, per trial: the speed of small models on one core here; evaluations add to it\)$/)]);
    expect(planTrials(trials(4), 2, 64 * GiB).notes).toEqual([]);
    expect(formatDuration(5400)).toBe('1.5 h');
    expect(formatDuration(400 * 86400)).toBe('1.1 years');
  });

  it('study resume checks the queued trials again (a run moved to a machine too small for it)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'continuum-sizes-')), 'run');
    const study = parseStudy({ name: 's', seeds: [1], recipe: { model, stages: [stage] } });
    // Made without startStudy's check, as another machine would have made it.
    createRunDir(dir, study, [{ id: 'seed=1', part: 'main', axes: {}, seed: 1, recipe: recipe({ dModel: 65536 }) }]).store.close();
    expect(() => reopenStudy(dir, { jobs: 1 })).toThrow(/^the study does not fit this machine:\n {2}- trial seed=1: recipe\.model \(nLayers 1, dModel 65536/);
    expect(existsSync(join(dir, 'owner.lock'))).toBe(false); // refused, so the lock was given back
  });
});
