/**
 * What the playground shows of a run: the loss (and reward) curve, accuracy on training instances beside
 * unseen ones (and held-out families), sampled answers with their scores, and the ICL curve when asked.
 * Messages only append data; drawing waits for the next animation frame, so a burst of messages is one redraw.
 */
import type { EvalPoint, Sample, StepPoint } from '../../playground/session.js';
import { h } from '../dom.js';
import { chartFrame, drawChart, type LineSeries } from '../line-chart.js';

const COLORS = { loss: '#3060d0', reward: '#c07a10', train: '#3060d0', test: '#d04a30', heldOut: '#2a9a5a', icl: '#7a40c0' };

export class PlaygroundView {
  readonly el: HTMLElement;
  private steps: StepPoint[] = [];
  private evals: EvalPoint[] = [];
  private icl: { k: number; score: number }[] | null = null;
  private samples: Sample[] = [];
  private frame = 0;
  private readonly loss = chartFrame('train loss', [{ name: 'loss', color: COLORS.loss }]);
  private readonly reward = chartFrame('reward (rl)', [{ name: 'mean reward', color: COLORS.reward }]);
  private readonly acc: ReturnType<typeof chartFrame>;
  private readonly iclChart = chartFrame('ICL curve: unseen rules vs demonstrations k', [{ name: 'accuracy', color: COLORS.icl }]);
  private readonly sampleBox = h('div', { class: 'pg-samples table-wrap' });
  private readonly iclNote = h('p', { class: 'muted' }, 'Press "ICL curve" to measure accuracy against the number of demonstrations.');

  constructor(private readonly showReward: boolean, heldOut: boolean) {
    const legend = [{ name: 'training instances', color: COLORS.train }, { name: 'unseen instances / rules', color: COLORS.test }];
    this.acc = chartFrame('accuracy', heldOut ? [...legend, { name: 'held-out families', color: COLORS.heldOut }] : legend);
    this.reward.root.hidden = !showReward;
    this.el = h(
      'div',
      { class: 'pg-view' },
      h('div', { class: 'pg-charts' }, this.loss.root, this.acc.root, this.reward.root, h('div', { class: 'pg-icl' }, this.iclChart.root, this.iclNote)),
      h('h3', { class: 'subhead' }, 'Sampled answers (unseen instances, greedy)'),
      this.sampleBox,
    );
    this.draw();
  }

  add(steps: StepPoint[], evals: EvalPoint[], samples: Sample[] | null): void {
    this.steps.push(...steps);
    this.evals.push(...evals);
    if (samples) this.samples = samples;
    this.schedule();
  }

  setIcl(curve: { k: number; score: number }[] | null, step: number): void {
    this.icl = curve;
    this.iclNote.textContent = curve === null ? 'The ICL curve is for in-context (icl/) families.' : `Measured at step ${step} on ${curve.length} values of k that fit the context.`;
    this.schedule();
  }

  /** The last evaluation, for the status line. */
  lastEval(): EvalPoint | undefined {
    return this.evals[this.evals.length - 1];
  }

  lastStep(): StepPoint | undefined {
    return this.steps[this.steps.length - 1];
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    drawChart(this.loss.svg, [{ name: 'loss', color: COLORS.loss, points: this.steps.map((p) => [p.step, p.loss] as const) }], { xLabel: 'step' });
    if (this.showReward) {
      const points = this.steps.filter((p) => p.reward !== undefined).map((p) => [p.step, p.reward!] as const);
      drawChart(this.reward.svg, [{ name: 'reward', color: COLORS.reward, points }], { xLabel: 'step', y: [0, 1] });
    }
    const acc: LineSeries[] = [
      { name: 'train', color: COLORS.train, points: this.evals.map((e) => [e.step, e.train] as const) },
      { name: 'test', color: COLORS.test, points: this.evals.map((e) => [e.step, e.test] as const) },
    ];
    if (this.evals.some((e) => e.heldOut !== undefined)) acc.push({ name: 'heldout', color: COLORS.heldOut, points: this.evals.map((e) => [e.step, e.heldOut ?? 0] as const) });
    drawChart(this.acc.svg, acc, { xLabel: 'step', y: [0, 1] });
    drawChart(this.iclChart.svg, [{ name: 'icl', color: COLORS.icl, dots: true, points: (this.icl ?? []).map((r) => [r.k, r.score] as const) }], { xLabel: 'demonstrations k', y: [0, 1] });
    this.drawSamples();
  }

  private drawSamples(): void {
    const rows = this.samples.map((s) =>
      h('tr', { class: s.score >= 1 ? 'pg-right' : 'pg-wrong' }, h('td', {}, h('code', {}, s.prompt)), h('td', {}, h('code', {}, s.answer)), h('td', {}, h('code', {}, s.output || '∅')), h('td', { class: 'num' }, s.score.toFixed(2))),
    );
    const head = h('tr', {}, h('th', {}, 'prompt'), h('th', {}, 'answer'), h('th', {}, 'model'), h('th', { class: 'num' }, 'score'));
    this.sampleBox.replaceChildren(h('table', { class: 'data compact pg-sample-table' }, h('thead', {}, head), h('tbody', {}, ...rows)));
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
  }
}
