/**
 * The playground (TensorFlow Playground for the continuum): pick a task, its breadth, an objective and a model,
 * press play, and watch a GPT learn from random weights in a Web Worker. Every control lives in the URL
 * (#/playground?family=…&seed=…): loading it again reproduces the run, step for step. Changing a control starts
 * a new run; settings that cannot run are adjusted, with a note saying how.
 */
import type { EngineRequest } from '../../playground/engine.js';
import type { FromWorker, ToWorker } from '../../playground/runner.js';
import { adjust, fromParams, MIX, toParams, type PlaygroundSettings } from '../../playground/settings.js';
import { h } from '../dom.js';
import { updateParams, type Route } from '../route.js';
import { controlsPanel } from './playground-controls.js';
import { PlaygroundView } from './playground-view.js';
import PlaygroundWorker from './playground-worker.ts?worker&inline';

interface Run {
  worker: Worker;
  view: PlaygroundView;
  /** Play pressed (what the button shows). */
  running: boolean;
  /** What the worker last said it was doing: steps may still arrive after pause until it has read the message. */
  training: boolean;
  step: number;
  tokS: number;
  engine: string;
}

export async function playgroundPage(root: HTMLElement, route: Route): Promise<() => void> {
  const page = new PlaygroundPage(root, fromParams(route.params));
  page.start();
  return () => page.stop();
}

class PlaygroundPage {
  private settings: PlaygroundSettings;
  private notes: string[];
  private run: Run | null = null;
  private readonly panel = h('div', { class: 'pg-panel' });
  private readonly main = h('div', { class: 'pg-main' });
  private readonly noteBox = h('div', { class: 'pg-notes', 'aria-live': 'polite' });
  private readonly status = h('div', { class: 'pg-status', 'data-running': 'false' });
  private readonly buttons = toolbar({
    play: () => this.toggle(),
    step: () => this.send({ type: 'step', steps: 10 }),
    reset: () => this.start(),
    share: () => void this.share(),
    icl: () => this.send({ type: 'icl' }),
  });

  constructor(root: HTMLElement, first: { settings: PlaygroundSettings; notes: string[] }) {
    this.settings = first.settings;
    this.notes = first.notes;
    const head = h('div', { class: 'pg-head' }, h('h1', {}, 'Playground'), this.buttons.el, this.status);
    root.replaceChildren(h('div', { class: 'pg' }, head, this.noteBox, h('div', { class: 'pg-body' }, this.panel, this.main)));
  }

  /** A fresh run of the current settings: a new worker, new charts, the URL rewritten. */
  start(): void {
    this.stop();
    const { settings } = this;
    updateParams(toParams(settings));
    this.panel.replaceChildren(controlsPanel(settings, (next) => this.change(next)));
    this.buttons.icl.hidden = !(settings.family === MIX || settings.family.startsWith('icl/'));
    const view = new PlaygroundView(settings.objective === 'rl' || settings.objective === 'mix', settings.heldOut.length > 0);
    this.main.replaceChildren(view.el);
    const worker = new PlaygroundWorker();
    const run: Run = { worker, view, running: false, training: false, step: 0, tokS: 0, engine: '…' };
    this.run = run;
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(run, event.data);
    worker.onerror = (event) => this.showNotes([`The worker failed: ${event.message}`]);
    worker.postMessage({ type: 'init', settings, engine: engineRequest() } satisfies ToWorker);
    this.showNotes();
    this.showStatus();
  }

  stop(): void {
    this.run?.worker.terminate();
    this.run?.view.dispose();
    this.run = null;
  }

  private change(next: PlaygroundSettings): void {
    ({ settings: this.settings, notes: this.notes } = adjust(next));
    this.start();
  }

  private send(message: ToWorker): void {
    this.run?.worker.postMessage(message);
  }

  private toggle(): void {
    const { run } = this;
    if (!run) return;
    run.running = !run.running;
    this.send({ type: run.running ? 'play' : 'pause' });
    this.showStatus();
  }

  private onMessage(run: Run, message: FromWorker): void {
    if (this.run !== run) return; // a message of a run already replaced
    if (message.type === 'ready') {
      run.engine = message.engine;
      this.showNotes(message.note ? [message.note] : []);
    } else if (message.type === 'progress') {
      run.step = message.step;
      run.tokS = message.tokensPerSecond;
      run.training = message.running;
      run.view.add(message.steps, message.evals, message.samples);
    } else if (message.type === 'icl') run.view.setIcl(message.curve, message.step);
    else if (message.type === 'error') {
      run.running = run.training = false;
      this.showNotes([`The run stopped: ${message.message}`]);
    }
    this.showStatus();
  }

  private showStatus(): void {
    const { run } = this;
    this.buttons.play.textContent = run?.running ? 'Pause' : 'Play';
    const last = run?.view.lastEval();
    const loss = run?.view.lastStep()?.loss;
    const accuracy = last ? `train ${pct(last.train)} · unseen ${pct(last.test)}${last.heldOut === undefined ? '' : ` · held-out ${pct(last.heldOut)}`}` : null;
    const parts = [`step ${run?.step ?? 0}`, loss === undefined ? null : `loss ${loss.toFixed(3)}`, accuracy, `engine ${run?.engine ?? '…'}`, `${Math.round(run?.tokS ?? 0).toLocaleString('en-US')} tok/s`];
    this.status.textContent = parts.filter(Boolean).join(' · ');
    this.status.dataset.running = String(run?.training ?? false);
    this.status.dataset.step = String(run?.step ?? 0);
    this.status.dataset.engine = run?.engine ?? '';
  }

  private showNotes(extra: string[] = []): void {
    this.noteBox.replaceChildren(...[...this.notes, ...extra].map((n) => h('p', { class: 'note' }, n)));
  }

  private async share(): Promise<void> {
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      this.buttons.share.textContent = 'Link copied';
    } catch {
      // No clipboard (an insecure origin, a file:// page): show the link to copy by hand.
      window.prompt('Copy this link:', url);
    }
    setTimeout(() => (this.buttons.share.textContent = 'Share'), 1500);
  }
}

/** The WebAssembly engine's files sit beside the page (wasm/); a page opened from disk may not fetch them. */
function engineRequest(): EngineRequest {
  if (location.protocol === 'file:') {
    const reason = 'opened from disk, where the browser lets no page fetch the WebAssembly engine: running the reference engine (TypeScript, slower); serve this folder over HTTP for the fast one';
    return { prefer: 'reference', reason };
  }
  return { prefer: 'auto', assetsUrl: new URL('./wasm/', location.href).href, threads: Math.min(4, navigator.hardwareConcurrency || 1) };
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

function toolbar(actions: Record<'play' | 'step' | 'reset' | 'share' | 'icl', () => void>) {
  const button = (name: keyof typeof actions, text: string, title: string) => h('button', { type: 'button', class: 'button', 'data-action': name, title, onclick: actions[name] }, text);
  const play = button('play', 'Play', 'Train until paused');
  const step = button('step', 'Step', 'Train 10 steps');
  const reset = button('reset', 'Reset', 'Start again from random weights');
  const share = button('share', 'Share', 'Copy the link that reproduces this run');
  const icl = button('icl', 'ICL curve', 'Accuracy on unseen rules against the number of demonstrations, now');
  return { el: h('div', { class: 'pg-buttons' }, play, step, reset, icl, share), play, step, reset, share, icl };
}
