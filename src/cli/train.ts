/** `continuum train RECIPE.yaml [--out DIR] [--resume DIR]`: runs a recipe (see src/train/recipe.ts). */
import { Command, Option } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseEngineName, prepareEngine } from '../model/engines.js';
import { parseRecipeText, type Recipe } from '../train/recipe.js';
import { defaultRunDir } from './args.js';
import { refuseExistingRun, runDirRecipe, runRecipe } from './run-recipe.js';

/** `train DIR`: most likely a run directory meant for --resume. */
function directoryGiven(dir: string): string {
  const hint = existsSync(join(dir, 'recipe.json'))
    ? `it holds a run: continue it with \`continuum train --resume ${dir}\``
    : 'give the recipe file (YAML or JSON) itself, e.g. `continuum train recipes/sft-then-rl.yaml`';
  return `train: ${dir} is a directory, not a recipe file; ${hint}`;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('run a training recipe (YAML or JSON): stages of lm, sft, rft, rl or mix')
    .argument('[recipe]', 'recipe file (optional with --resume)')
    .option('--out <dir>', 'run directory (default runs/<recipe name>-<time>)')
    .option('--resume <dir>', 'continue a killed run from its latest checkpoint')
    .addOption(new Option('--engine <name>', 'compute engine (default: the recipe\'s, else native)').choices(['native', 'reference', 'wasm']))
    .option('--json', 'print one JSON line with the final figures')
    .action(async (file: string | undefined, flags: { out?: string; resume?: string; engine?: string; json?: boolean }) => {
      let recipe: Recipe;
      let outDir: string;
      if (flags.resume) {
        outDir = flags.resume;
        recipe = runDirRecipe(outDir);
      } else {
        if (!file) throw new Error('train: give a recipe file, or --resume RUN_DIR');
        if (!existsSync(file)) throw new Error(`train: no such recipe file: ${file}`);
        if (statSync(file).isDirectory()) throw new Error(directoryGiven(file));
        recipe = parseRecipeText(readFileSync(file, 'utf8'), file);
        outDir = flags.out ?? defaultRunDir(recipe.name !== 'recipe' ? recipe.name : basename(file, extname(file)));
        refuseExistingRun(outDir, 'train');
      }
      const engine = flags.engine ? parseEngineName(flags.engine) : undefined;
      await prepareEngine(engine ?? recipe.engine ?? 'native');
      if (!flags.json) process.stderr.write(`run directory: ${outDir}\n`);
      const result = runRecipe(recipe, { command: 'train', outDir, engine, resume: Boolean(flags.resume), json: flags.json });
      const figures = { steps: result.steps, wall_s: Number(result.wallSeconds.toFixed(2)), out: outDir, ...result.last };
      if (flags.json) process.stdout.write(JSON.stringify(figures) + '\n');
      else {
        const evals = Object.entries(result.last).filter(([k]) => k.startsWith('eval/'));
        process.stdout.write(
          `\n${result.steps} steps in ${result.wallSeconds.toFixed(1)} s; final model: ${join(outDir, 'model')}\n` +
            evals.map(([k, v]) => `  ${k} ${v.toFixed(4)}\n`).join(''),
        );
      }
      result.engine.dispose();
    });
}
