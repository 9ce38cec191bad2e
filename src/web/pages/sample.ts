/**
 * Sample: pick a run and one of its models (final or a checkpoint), give a prompt, see the completion. With a
 * task instance (from the Tasks page's "try on a model") the prompt is the instance's and the completion is
 * scored by the family's verifier on the server.
 */
import type { CheckpointInfo, InstanceRef, RunInfo, SampleRequest, SampleResponse } from '../../api/types.js';
import { getJson, postJson, runPath } from '../api.js';
import { card, errorCard, h } from '../dom.js';
import { updateParams, type Route } from '../route.js';

function instanceFrom(p: URLSearchParams): InstanceRef | undefined {
  const family = p.get('family');
  if (!family) return undefined;
  const num = (k: string, d: number) => Math.max(0, Math.floor(Number(p.get(k) ?? d) || 0));
  return { family, difficulty: Math.max(1, num('difficulty', 1)), split: p.get('split') === 'test' ? 'test' : 'train', seed: num('seed', 0), index: num('index', 0) };
}

/** The page's controls: which model, the prompt, how to sample; `out` shows the answer. */
interface SampleForm {
  run: HTMLSelectElement;
  checkpoint: HTMLSelectElement;
  prompt: HTMLTextAreaElement;
  asTask: HTMLInputElement;
  temperature: HTMLInputElement;
  maxTokens: HTMLInputElement;
  button: HTMLButtonElement;
  out: HTMLElement;
}

export async function samplePage(root: HTMLElement, route: Route): Promise<() => void> {
  const runs = (await getJson<RunInfo[]>('/api/runs')).filter((r) => !r.error);
  const instance = instanceFrom(route.params);
  const form = sampleForm(runs, route);
  const { run, checkpoint, button, out } = form;
  run.addEventListener('change', () => {
    updateParams({ run: run.value, ckpt: null });
    void loadCheckpoints(form, route);
  });
  checkpoint.addEventListener('change', () => updateParams({ ckpt: checkpoint.value }));
  button.addEventListener('click', () => sample(form, instance));
  root.replaceChildren(
    card(
      'Sample',
      runs.length ? '' : h('p', { class: 'muted' }, 'No runs to sample from yet.'),
      h('div', { class: 'controls' }, h('label', {}, 'run ', run), h('label', {}, 'model ', checkpoint)),
      instance ? instanceNote(instance) : h('div', {}, form.prompt, h('label', {}, form.asTask, ' frame as a task (BOS prompt SEP, stop at EOS)')),
      h('div', { class: 'controls' }, h('label', {}, 'temperature ', form.temperature), h('label', {}, 'max new tokens ', form.maxTokens), button),
      out,
    ),
  );
  await loadCheckpoints(form, route).catch((err: Error) => out.replaceChildren(errorCard('Cannot list models', err.message)));
  return () => {};
}

function sampleForm(runs: RunInfo[], route: Route): SampleForm {
  const run = h('select', { 'aria-label': 'run' }, ...runs.map((r) => h('option', { value: r.id }, r.id)));
  run.value = route.params.get('run') ?? runs[0]?.id ?? '';
  const checkpoint = h('select', { 'aria-label': 'checkpoint' });
  const prompt = h('textarea', { rows: 4, 'aria-label': 'prompt', placeholder: 'ROMEO:' });
  prompt.value = route.params.get('prompt') ?? '';
  const asTask = h('input', { type: 'checkbox', 'aria-label': 'frame as a task' });
  const temperature = h('input', { type: 'number', min: 0, max: 2, step: 0.1, value: 0, class: 'short', 'aria-label': 'temperature' });
  const maxTokens = h('input', { type: 'number', min: 1, max: 512, value: 64, class: 'short', 'aria-label': 'max new tokens' });
  const out = h('div', { class: 'sample-out' });
  const button = h('button', { type: 'button', class: 'button' }, 'Sample');
  return { run, checkpoint, prompt, asTask, temperature, maxTokens, button, out };
}

function instanceNote(i: InstanceRef): HTMLElement {
  const text = `Task instance: ${i.family}, level ${i.difficulty}, ${i.split} split, seed ${i.seed}, #${i.index}; its prompt is used and the completion is scored.`;
  return h('p', { class: 'instance-note' }, text);
}

/** The chosen run's models (final and checkpoints), the route's `ckpt` selected when it is one of them. */
async function loadCheckpoints({ run, checkpoint, button, out }: SampleForm, route: Route): Promise<void> {
  checkpoint.replaceChildren();
  if (!run.value) return;
  const ckpts = await getJson<CheckpointInfo[]>(runPath(run.value, '/checkpoints'));
  checkpoint.replaceChildren(...ckpts.map((c) => h('option', { value: c.path }, c.path)));
  const wanted = route.params.get('ckpt');
  if (wanted && ckpts.some((c) => c.path === wanted)) checkpoint.value = wanted;
  button.disabled = ckpts.length === 0;
  if (!ckpts.length) out.replaceChildren(h('p', { class: 'muted' }, `${run.value} has no model or checkpoint yet.`));
}

async function sample(form: SampleForm, instance: InstanceRef | undefined): Promise<void> {
  const { button, out } = form;
  const request: SampleRequest = {
    run: form.run.value,
    checkpoint: form.checkpoint.value,
    prompt: form.prompt.value,
    task: form.asTask.checked,
    instance,
    temperature: Number(form.temperature.value),
    maxNewTokens: Number(form.maxTokens.value),
  };
  button.disabled = true;
  out.replaceChildren(h('p', { class: 'muted' }, 'sampling…'));
  try {
    out.replaceChildren(...completionView(await postJson<SampleResponse>('/api/sample', request)));
  } catch (err) {
    out.replaceChildren(errorCard('Sampling failed', (err as Error).message));
  } finally {
    button.disabled = false;
  }
}

/** The prompt as the model saw it, its completion, and the verifier's score when the prompt was a task's. */
function completionView(r: SampleResponse): (HTMLElement | string)[] {
  const completion = r.completion
    ? h('pre', { class: 'completion' }, r.completion)
    : h('pre', { class: 'completion muted' }, '(empty: the model ended its answer at once)');
  const score = (value: number) => h('strong', { class: 'score', 'data-score': value }, value.toFixed(2));
  return [
    h('h3', {}, 'Prompt'),
    h('pre', { class: 'prompt' }, r.prompt),
    h('h3', {}, 'Completion'),
    completion,
    r.score !== null ? h('p', {}, 'reference answer ', h('code', {}, r.answer ?? ''), ' · verifier score ', score(r.score)) : '',
    h('p', { class: 'muted' }, `${r.ms} ms`),
  ];
}
