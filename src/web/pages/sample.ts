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

export async function samplePage(root: HTMLElement, route: Route): Promise<() => void> {
  const runs = (await getJson<RunInfo[]>('/api/runs')).filter((r) => !r.error);
  const instance = instanceFrom(route.params);
  const runSel = h('select', { 'aria-label': 'run' }, ...runs.map((r) => h('option', { value: r.id }, r.id)));
  runSel.value = route.params.get('run') ?? runs[0]?.id ?? '';
  const ckptSel = h('select', { 'aria-label': 'checkpoint' });
  const prompt = h('textarea', { rows: 4, 'aria-label': 'prompt', placeholder: 'ROMEO:' });
  prompt.value = route.params.get('prompt') ?? '';
  const asTask = h('input', { type: 'checkbox', 'aria-label': 'frame as a task' });
  const temperature = h('input', { type: 'number', min: 0, max: 2, step: 0.1, value: 0, class: 'short', 'aria-label': 'temperature' });
  const maxTokens = h('input', { type: 'number', min: 1, max: 512, value: 64, class: 'short', 'aria-label': 'max new tokens' });
  const out = h('div', { class: 'sample-out' });
  const button = h('button', { type: 'button', class: 'button' }, 'Sample');

  const loadCheckpoints = async () => {
    ckptSel.replaceChildren();
    if (!runSel.value) return;
    const ckpts = await getJson<CheckpointInfo[]>(runPath(runSel.value, '/checkpoints'));
    ckptSel.replaceChildren(...ckpts.map((c) => h('option', { value: c.path }, c.path)));
    const wanted = route.params.get('ckpt');
    if (wanted && ckpts.some((c) => c.path === wanted)) ckptSel.value = wanted;
    button.disabled = ckpts.length === 0;
    if (!ckpts.length) out.replaceChildren(h('p', { class: 'muted' }, `${runSel.value} has no model or checkpoint yet.`));
  };
  runSel.addEventListener('change', () => {
    updateParams({ run: runSel.value, ckpt: null });
    void loadCheckpoints();
  });
  ckptSel.addEventListener('change', () => updateParams({ ckpt: ckptSel.value }));

  button.addEventListener('click', async () => {
    const request: SampleRequest = {
      run: runSel.value,
      checkpoint: ckptSel.value,
      prompt: prompt.value,
      task: asTask.checked,
      instance,
      temperature: Number(temperature.value),
      maxNewTokens: Number(maxTokens.value),
    };
    button.disabled = true;
    out.replaceChildren(h('p', { class: 'muted' }, 'sampling…'));
    try {
      const r = await postJson<SampleResponse>('/api/sample', request);
      out.replaceChildren(
        h('h3', {}, 'Prompt'),
        h('pre', { class: 'prompt' }, r.prompt),
        h('h3', {}, 'Completion'),
        r.completion ? h('pre', { class: 'completion' }, r.completion) : h('pre', { class: 'completion muted' }, '(empty: the model ended its answer at once)'),
        r.score !== null ? h('p', {}, 'reference answer ', h('code', {}, r.answer ?? ''), ' · verifier score ', h('strong', { class: 'score', 'data-score': r.score }, r.score.toFixed(2))) : '',
        h('p', { class: 'muted' }, `${r.ms} ms`),
      );
    } catch (err) {
      out.replaceChildren(errorCard('Sampling failed', (err as Error).message));
    } finally {
      button.disabled = false;
    }
  });

  root.replaceChildren(
    card(
      'Sample',
      runs.length ? '' : h('p', { class: 'muted' }, 'No runs to sample from yet.'),
      h('div', { class: 'controls' }, h('label', {}, 'run ', runSel), h('label', {}, 'model ', ckptSel)),
      instance
        ? h('p', { class: 'instance-note' }, `Task instance: ${instance.family}, level ${instance.difficulty}, ${instance.split} split, seed ${instance.seed}, #${instance.index}; its prompt is used and the completion is scored.`)
        : h('div', {}, prompt, h('label', {}, asTask, ' frame as a task (BOS prompt SEP, stop at EOS)')),
      h('div', { class: 'controls' }, h('label', {}, 'temperature ', temperature), h('label', {}, 'max new tokens ', maxTokens), button),
      out,
    ),
  );
  await loadCheckpoints().catch((err: Error) => out.replaceChildren(errorCard('Cannot list models', err.message)));
  return () => {};
}
