/**
 * `continuum tasks list|show|check`: browse the task universe, look at instances with their answers, and run the
 * universal checks on demand. `--jsonl FILE` adds user tasks (one JSON object per line) to any of them.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import '../tasks/catalog.js';
import { CHECKS, DEFAULT_SPLIT_INSTANCES, checkFamily, type CheckResult } from '../tasks/checks.js';
import { SPLITS, type Config, type TaskFamily } from '../tasks/family.js';
import { getFamily, listFamilies } from '../tasks/registry.js';
import { makeInstance, resolveConfig } from '../tasks/split.js';
import { loadUserTasks } from '../tasks/user-file.js';
import { BUILTIN_CORPORA } from '../text/corpus-file.js';
import { int } from './args.js';

const print = (line = '') => process.stdout.write(`${line}\n`);

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}

/** Prompts and answers as one line: newlines and other invisible characters escaped. */
const oneLine = (text: string) => (/[\n\t]/.test(text) ? JSON.stringify(text) : text);

/** Every registered family, after loading user tasks from `jsonl` when given. */
function familiesWith(jsonl: string | undefined): TaskFamily[] {
  if (jsonl) loadUserTasks(jsonl);
  return listFamilies();
}

/** The declared maximum prompt + answer length at each difficulty level. */
const lengths = (f: TaskFamily) => f.levels.map((_, l) => f.maxLength(resolveConfig(f, l + 1)));

function parseConfig(text: string): Config {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Config;
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError(`--config takes a JSON object such as '{"k": 8}', got ${text}`);
}

function addList(tasks: Command): void {
  tasks
    .command('list')
    .description('every task family: domain, difficulty levels, one-line description')
    .option('--json', 'print a JSON array of { name, domain, levels, description, maxLength }')
    .option('--jsonl <file>', 'also list user tasks from a JSONL file')
    .action((f: { json?: boolean; jsonl?: string }) => {
      const families = familiesWith(f.jsonl);
      if (f.json) {
        const rows = families.map((fam) => ({
          name: fam.name,
          domain: fam.domain,
          levels: fam.levels.length,
          description: fam.description,
          maxLength: lengths(fam),
        }));
        print(JSON.stringify(rows, null, 2));
        return;
      }
      const rows = [['family', 'domain', 'levels', 'max chars', 'description']];
      for (const fam of families) {
        const max = lengths(fam);
        rows.push([fam.name, fam.domain, String(fam.levels.length), `${max[0]}..${max[max.length - 1]}`, fam.description]);
      }
      table(rows).forEach((line) => print(line));
      const domains = new Set(families.map((fam) => fam.domain));
      print();
      print(`${families.length} families in ${domains.size} domains`);
      print(`corpora for pre-training: ${Object.keys(BUILTIN_CORPORA).join(', ')}, or any text file by path`);
    });
}

function addShow(tasks: Command): void {
  tasks
    .command('show')
    .description('generate instances of a family and print them with their answers')
    .argument('<family>', "a family name, e.g. math/add (see 'tasks list')")
    .option('--n <n>', 'instances to show', int('--n'), 5)
    .option('--difficulty <d>', 'difficulty level, 1 = easiest', int('--difficulty'), 1)
    .addOption(new Option('--split <split>', 'which split to draw from').choices(SPLITS).default('train'))
    .option('--seed <s>', 'seed of the instance stream', int('--seed'), 0)
    .option('--config <json>', 'config overrides on top of the level, e.g. \'{"k": 8}\'', parseConfig)
    .option('--json', 'print a JSON array of instances')
    .option('--jsonl <file>', 'load user tasks from a JSONL file first')
    .action((name: string, f: { n: number; difficulty: number; split: 'train' | 'test'; seed: number; config?: Config; json?: boolean; jsonl?: string }) => {
      if (f.jsonl) loadUserTasks(f.jsonl);
      const family = getFamily(name);
      const config = resolveConfig(family, f.difficulty, f.config ?? {});
      const instances = Array.from({ length: f.n }, (_, index) =>
        makeInstance(family, { config, split: f.split, seed: f.seed, index }),
      ).map((inst) => ({ ...inst, difficulty: f.difficulty }));
      if (f.json) {
        print(JSON.stringify(instances, null, 2));
        return;
      }
      print(`${family.name}  difficulty ${f.difficulty}/${family.levels.length}  split ${f.split}  seed ${f.seed}`);
      print(`config ${JSON.stringify(config, (_, v: unknown) => (v === Infinity ? 'infinity' : v))}`);
      print();
      const rows = [['#', 'prompt', 'answer']];
      instances.forEach((inst, i) => rows.push([String(i), oneLine(inst.prompt), oneLine(inst.answer)]));
      table(rows).forEach((line) => print(line));
    });
}

function addCheck(tasks: Command): void {
  tasks
    .command('check')
    .description('run the universal checks (reference scores 1, corruptions score < 1, determinism, no test prompt among train prompts, one answer per prompt, length, levels, vocabulary)')
    .argument('[family]', 'one family (default: all)')
    .option('--instances <n>', 'instances per level for the split and unambiguous checks', int('--instances'), DEFAULT_SPLIT_INSTANCES)
    .option('--json', 'print the results as JSON')
    .option('--jsonl <file>', 'also check user tasks from a JSONL file')
    .action((name: string | undefined, f: { instances: number; json?: boolean; jsonl?: string }) => {
      const all = familiesWith(f.jsonl);
      const families = name ? [getFamily(name)] : all;
      const results: Array<{ family: string; results: CheckResult[] }> = [];
      const progress = !f.json && process.stderr.isTTY;
      for (const family of families) {
        if (progress) process.stderr.write(`checking ${family.name}...`.padEnd(40) + '\r');
        results.push({ family: family.name, results: checkFamily(family, { splitInstances: f.instances }) });
      }
      if (progress) process.stderr.write(`${' '.repeat(40)}\r`);
      const failed = results.filter((r) => r.results.some((c) => !c.ok));
      if (failed.length) process.exitCode = 1;
      if (f.json) {
        print(JSON.stringify(results, null, 2));
        return;
      }
      const rows = [['family', ...CHECKS]];
      for (const r of results) {
        // User families have one level by design: their levels check does not apply ('-').
        rows.push([r.family, ...CHECKS.map((c) => {
          const res = r.results.find((x) => x.check === c);
          return res ? (res.ok ? 'ok' : 'FAIL') : '-';
        })]);
      }
      table(rows).forEach((line) => print(line));
      print();
      for (const r of failed) for (const c of r.results.filter((x) => !x.ok)) print(`${r.family} ${c.check}: ${c.detail}`);
      print(`${results.length - failed.length} of ${results.length} families pass every check`);
    });
}

/** Adds `tasks list`, `tasks show` and `tasks check` to the program. */
export function registerTasksCommands(program: Command): void {
  // Subcommands made with .command() inherit the program's settings (output, exit handling, help on error).
  const tasks = program.command('tasks').description('the task universe: list families, show instances, run the universal checks');
  addList(tasks);
  addShow(tasks);
  addCheck(tasks);
}
