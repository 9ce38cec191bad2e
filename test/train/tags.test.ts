/** stageTags lists exactly what each objective logs: a claim on a tag no stage logs is refused from this list. */
import { describe, expect, it } from 'vitest';
import { parseRecipe } from '../../src/train/recipe.js';
import { stageTags } from '../../src/train/tags.js';
import { train } from '../../src/train/trainer.js';

const tasks = { families: ['math/compare'], heldOut: ['text/reverse'] };
const stages: Record<string, Record<string, unknown>> = {
  lm: { objective: 'lm', corpus: 'shakespeare' },
  sft: { objective: 'sft', tasks },
  rft: { objective: 'rft', tasks: { families: ['math/compare'] }, rft: { samples: 2, threshold: 0 } },
  rl: { objective: 'rl', tasks, rl: { groupSize: 2, klBeta: 0.1 } },
  mix: { objective: 'mix', tasks, rlFraction: 0.5, rl: { groupSize: 2 } },
};

describe('stageTags', () => {
  for (const [name, stage] of Object.entries(stages)) {
    it(`lists exactly the tags a ${name} stage logs`, () => {
      const recipe = parseRecipe({
        model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 24 },
        stages: [{ ...stage, budget: { steps: 2 }, batchSize: 2, eval: { interval: 1, iters: 2 }, sampling: { maxNewTokens: 4 } }],
      });
      const logged = new Set<string>();
      const result = train(recipe, { outDir: null, engine: 'reference', onStep: (r) => Object.keys(r.scalars).forEach((t) => logged.add(t)) });
      result.engine.dispose();
      expect([...logged].sort()).toEqual([...stageTags(recipe.stages[0])].sort());
    });
  }
});
