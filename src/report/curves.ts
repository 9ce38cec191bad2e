/**
 * Learning curves: a logged tag against the training examples of one stage, one line per arm, mean over seeds
 * with a 95% band. Rates (per the tag table) are drawn on [0, 1]; other tags on an axis fitted to their values.
 */
import { inStage } from '../eval/learning-curve.js';
import { isRateTag } from '../measure/tags.js';
import type { ReportPlot } from './model.js';
import { clipBands, seriesPoints, slug } from './points.js';
import { armsOf, stageOffset, type TrialResult } from './results.js';
import type { CurvePlot, ReportedStudy } from './spec.js';
import { lineChartSpec } from './specs.js';

export function curvePlots(study: ReportedStudy, results: readonly TrialResult[]): ReportPlot[] {
  return study.curves.flatMap((c, i) => {
    const plot = curvePlot(c, results, i);
    return plot ? [plot] : [];
  });
}

/** One arm's curve per trial: (training examples of the stage, value) points. */
function trialCurve(t: TrialResult, c: CurvePlot): { x: number; y: number }[] {
  const { offset, examplesPerStep } = stageOffset(t.recipe, c.stage);
  return t.series(c.tag).filter((p) => inStage(p.step, offset)).map((p) => ({ x: (p.step - offset) * examplesPerStep, y: p.value }));
}

function curvePlot(c: CurvePlot, results: readonly TrialResult[], index: number): ReportPlot | null {
  const points = armsOf(results, c.part, c.axis, c.where).flatMap((arm) => seriesPoints(`${c.axis}=${arm.label}`, arm.trials.map((t) => trialCurve(t, c))));
  if (points.length === 0) return null;
  const isRate = isRateTag(c.tag) && points.every((p) => p.mean >= 0 && p.mean <= 1);
  const yDomain: [number, number] | undefined = isRate ? [0, 1] : undefined;
  const title = `${c.label} during training`;
  return {
    name: `curve${index + 1}-${slug(c.label)}`,
    title,
    caption: `${c.tag} against training examples of stage ${c.stage + 1}; mean over seeds with a 95% band.`,
    spec: lineChartSpec({
      title,
      subtitle: c.part === 'main' ? undefined : `part ${c.part}`,
      xTitle: 'training examples',
      yTitle: c.label,
      seriesTitle: c.axis,
      yDomain,
      yRule: c.threshold !== undefined ? { value: c.threshold, label: `threshold ${c.threshold}` } : undefined,
      points: clipBands(points, yDomain),
    }),
  };
}
