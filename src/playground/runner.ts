/**
 * The worker's side of the playground: a session driven by messages (play, pause, step, reset, ICL curve),
 * training in slices of about SLICE_MS so a message waits at most that long, and posting what it measured after
 * each slice. The page never trains; a worker that is slow only makes the curves grow slower.
 */
import { EVAL_EVERY, PlaygroundSession, type EvalPoint, type Sample, type StepPoint } from './session.js';
import type { PlaygroundSettings } from './settings.js';
import type { EngineRequest } from './engine.js';

export type ToWorker =
  | { type: 'init'; settings: PlaygroundSettings; engine: EngineRequest }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; steps: number }
  | { type: 'icl' };

export type FromWorker =
  | { type: 'ready'; engine: string; note: string | null; params: number }
  | { type: 'progress'; step: number; running: boolean; steps: StepPoint[]; evals: EvalPoint[]; samples: Sample[] | null; tokensPerSecond: number }
  | { type: 'icl'; step: number; curve: { k: number; score: number }[] | null }
  | { type: 'error'; message: string };

const SLICE_MS = 100;

export class Runner {
  private session: PlaygroundSession | null = null;
  private running = false;
  /** Steps still to take for `step` requests while paused. */
  private pending = 0;
  private scheduled = false;
  private failed = false;

  constructor(private readonly post: (message: FromWorker) => void) {}

  async handle(message: ToWorker): Promise<void> {
    if (message.type === 'init') return this.init(message.settings, message.engine);
    if (!this.session || this.failed) return;
    if (message.type === 'play') this.running = true;
    else if (message.type === 'pause') this.running = false;
    else if (message.type === 'step') this.pending += Math.max(1, Math.floor(message.steps));
    else if (message.type === 'icl') return this.guard(() => this.post({ type: 'icl', step: this.session!.step, curve: this.session!.iclCurve() }));
    if (message.type === 'pause') this.report([], [], null);
    this.schedule();
  }

  private async init(settings: PlaygroundSettings, engine: EngineRequest): Promise<void> {
    try {
      this.session = await PlaygroundSession.create(settings, engine);
      const { choice } = this.session;
      this.post({ type: 'ready', engine: choice.label, note: choice.note, params: this.session.engine.params.length });
      // The untrained model's scores: every curve starts at step 0.
      this.report([], [this.session.evaluate()], this.session.samples());
    } catch (err) {
      this.fail(err);
    }
  }

  private schedule(): void {
    if (this.scheduled || !(this.running || this.pending > 0)) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.guard(() => this.slice());
      this.schedule();
    }, 0);
  }

  /** Steps for about SLICE_MS, evaluating on the fixed schedule, then one progress message. */
  private slice(): void {
    const session = this.session!;
    const steps: StepPoint[] = [];
    const evals: EvalPoint[] = [];
    let samples: Sample[] | null = null;
    const t0 = performance.now();
    while ((this.running || this.pending > 0) && performance.now() - t0 < SLICE_MS) {
      steps.push(session.trainStep());
      if (this.pending > 0) this.pending--;
      if (session.step % EVAL_EVERY === 0) {
        evals.push(session.evaluate());
        samples = session.samples();
      }
    }
    this.report(steps, evals, samples);
  }

  private report(steps: StepPoint[], evals: EvalPoint[], samples: Sample[] | null): void {
    const session = this.session!;
    const running = this.running || this.pending > 0;
    this.post({ type: 'progress', step: session.step, running, steps, evals, samples, tokensPerSecond: session.tokensPerSecond() });
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.fail(err);
    }
  }

  /** A diverged loss or a bad setting stops this run; the page says so and offers reset. */
  private fail(err: unknown): void {
    this.failed = true;
    this.running = false;
    this.pending = 0;
    this.post({ type: 'error', message: (err as Error).message ?? String(err) });
  }
}
