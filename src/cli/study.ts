/**
 * `continuum study run NAME|FILE [--quick] [--out DIR] [--jobs N]`, `study resume RUN_DIR`,
 * `study report RUN_DIR`, `study compare RUN_A RUN_B` (study-compare.ts) and `runs list`: studies from the command line (see src/study/).
 */
import { Command } from 'commander';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../report/model.js';
import { openRunStore, STORE_FILE } from '../store/run-store.js';
import { defaultJobs, type TrialProcessOptions, type StudyProgress } from '../study/trial-processes.js';
import { listRunDirs, openRunDir, runIdOf } from '../study/run-dir.js';
import { describeOwner } from '../store/run-lock.js';
import { reopenStudy, runStudy, startStudy, studyFailures, writeRunReport, type StudyOutcome } from '../study/runner.js';
import { parseStudyText, type Study } from '../study/schema.js';
import { defaultRunDir, int } from './args.js';
import { createProgress } from './progress.js';
import { assertQueueReachable, queueExecutor, queueUrlOf, resumeQueueUrl } from './queue.js';
import { registerStudyCompare } from './study-compare.js';

/** The built-in study files, shipped at the package root. */
export const STUDIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'studies');

export function builtInStudies(): string[] {
  return existsSync(STUDIES_DIR) ? readdirSync(STUDIES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort() : [];
}

function loadStudy(nameOrFile: string): Study {
  const builtIn = join(STUDIES_DIR, `${nameOrFile}.yaml`);
  const path = existsSync(nameOrFile) && !existsSync(builtIn) ? nameOrFile : existsSync(builtIn) ? builtIn : null;
  if (!path) throw new Error(`study: "${nameOrFile}" is neither a file nor a built-in study (${builtInStudies().join(', ')})`);
  return parseStudyText(readFileSync(path, 'utf8'), path === builtIn ? `studies/${nameOrFile}.yaml` : path);
}

/** 75 -> `75s`, 779.6 -> `13m00s` (rounded once, so never `12m60s`). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  return t >= 90 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

function processOptions(jobs: number | undefined, threads: number | undefined): TrialProcessOptions {
  const progress = createProgress();
  return {
    jobs: jobs ?? defaultJobs(),
    threads,
    onStatus(s: StudyProgress) {
      const finished = s.done + s.failed;
      // The progress line adds its own ETA from the fraction done (trial fractions included).
      progress.update(s.total ? s.work / s.total : 1, `trials ${finished}/${s.total}`, {
        done: String(s.done),
        running: String(s.running),
        failed: String(s.failed),
      });
      if (s.running === 0 && s.queued === 0) progress.stop();
    },
    onTrialEnd(trial) {
      const took = trial.startedAt && trial.finishedAt ? ` in ${formatSeconds((Date.parse(trial.finishedAt) - Date.parse(trial.startedAt)) / 1000)}` : '';
      const where = trial.worker ? ` on ${trial.worker}` : '';
      if (trial.status === 'done') progress.log(`  done    ${trial.id}${took}${where}`);
      else if (trial.status === 'failed') progress.log(`  FAILED  ${trial.id}${where}: ${trial.reason}`);
      else progress.log(`  stopped ${trial.id} (resume with \`continuum study resume\`)`);
    },
  };
}

/** Relative to the working directory when inside it, absolute otherwise. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? resolve(path) : rel;
}

function printOutcome(o: StudyOutcome): void {
  const { report, status } = o;
  const out = process.stdout;
  out.write(`\n${report.title}\n`);
  out.write(`verdict: ${report.verdict.toUpperCase().replace('_', ' ')}\n`);
  out.write(`${report.finding}\n`);
  for (const note of report.notes ?? []) out.write(`note: ${note}\n`);
  out.write(`\n${status.done} trials done, ${status.failed} failed in ${formatSeconds(status.elapsedSeconds)}\n`);
  out.write(`report: ${shortPath(o.files.html)}\nsummary: ${shortPath(o.files.summary)}\n`);
  if (status.interrupted) {
    out.write(`interrupted: continue with \`continuum study resume ${o.dir}\`\n`);
    process.exitCode = 130;
  } else failIfNeeded(report);
}

/** Scripts can tell a study that measured nothing: exit code 2, with each reason on a STUDY FAILED line. */
function failIfNeeded(report: Report): void {
  const failures = studyFailures(report);
  for (const line of failures) process.stdout.write(`STUDY FAILED: ${line}\n`);
  if (failures.length) process.exitCode = 2;
}

type RunFlags = { quick?: boolean; out?: string; jobs?: number; threads?: number; queue?: string };
type ResumeFlags = { jobs?: number; threads?: number; retryFailed?: boolean; queue?: string };

/** `study run`: a new run directory, its trials run in local processes or on a queue, then the report. */
async function runCommand(name: string, flags: RunFlags): Promise<void> {
  const spec = loadStudy(name);
  const queue = queueUrlOf(flags.queue);
  if (queue) await assertQueueReachable(queue);
  const dir = flags.out ?? defaultRunDir(spec.name);
  const opened = startStudy(spec, flags.quick ? 'quick' : 'full', dir, flags.jobs ?? defaultJobs());
  const trials = opened.store.listTrials(opened.run.id).length;
  process.stderr.write(`${spec.title ?? spec.name} (${flags.quick ? 'quick' : 'full'} mode): ${trials} trials -> ${dir}\n`);
  for (const note of opened.plan.notes) process.stderr.write(`${note}\n`);
  printOutcome(await runStudy(opened, processOptions(flags.jobs, flags.threads), queue ? queueExecutor(queue) : undefined));
}

/** `study resume`: owns the run again (taking over a dead owner's lock), requeues what a kill interrupted, runs it. */
async function resumeCommand(dir: string, flags: ResumeFlags): Promise<void> {
  const queue = resumeQueueUrl(dir, flags.queue);
  if (queue) await assertQueueReachable(queue);
  const execute = queue ? queueExecutor(queue) : undefined;
  const opened = reopenStudy(dir, { jobs: flags.jobs ?? defaultJobs(), retryFailed: flags.retryFailed });
  const { tookOver } = opened.lock;
  if (tookOver) process.stderr.write(`took over the run lock of ${describeOwner(tookOver)}: that process is gone\n`);
  for (const note of opened.plan.notes) process.stderr.write(`${note}\n`);
  printOutcome(await runStudy(opened, processOptions(flags.jobs, flags.threads), execute));
}

export function registerStudyCommands(program: Command): void {
  const study = program.command('study').description('run the built-in studies or your own study files, and report on them');

  study
    .command('run')
    .description(`run a study: a built-in name (${builtInStudies().join(', ')}) or a study file`)
    .argument('<study>', 'built-in study name or path to a study YAML file')
    .option('--quick', 'the quick mode: fewer arms, seeds and steps (minutes on a laptop)')
    .option('--out <dir>', 'run directory (default runs/<study>-<time>)')
    .option('--jobs <n>', 'trials run at once (default: the number of cores)', int('--jobs'))
    .option('--threads <n>', 'native-engine threads per trial (default: cores / jobs)', int('--threads'))
    .option('--queue <url>', 'run the trials as jobs on this Redis queue, for `continuum worker`s anywhere (default $CONTINUUM_QUEUE)')
    .action(runCommand);

  study
    .command('resume')
    .description('continue a killed study run: finished trials are kept, unfinished ones resume from their checkpoints')
    .argument('<runDir>', 'the run directory')
    .option('--jobs <n>', 'trials run at once (default: the number of cores)', int('--jobs'))
    .option('--threads <n>', 'native-engine threads per trial (default: cores / jobs)', int('--threads'))
    .option('--retry-failed', 'run failed trials again too')
    .option('--queue <url>', 'the Redis queue of a run started with --queue (default: the one the run recorded)')
    .action(resumeCommand);

  registerStudyCompare(study);

  study
    .command('report')
    .description('rebuild report.html, plots/ and summary.json of a run from its store')
    .argument('<runDir>', 'the run directory')
    .action(async (dir: string) => {
      const opened = openRunDir(dir);
      const { report, files } = await writeRunReport(opened);
      opened.store.close();
      process.stdout.write(`verdict: ${report.verdict.toUpperCase().replace('_', ' ')}\n${report.finding}\nreport: ${files.html}\n`);
      failIfNeeded(report);
    });

  program
    .command('runs')
    .description('study runs on this machine')
    .command('list')
    .description('list study runs: status, trials, verdict')
    .option('--runs <dir>', 'where runs live', 'runs')
    .option('--json', 'one JSON object per run')
    .action(listRuns);
}

/** One line (or JSON object) per study run under flags.runs: status, verdict, trials. */
function listRuns(flags: { runs: string; json?: boolean }): void {
  const rows = listRunDirs(flags.runs).map((dir) => {
    const store = openRunStore(join(dir, STORE_FILE), { readonly: true });
    try {
      const s = store.runSummary(runIdOf(dir));
      return { dir, study: s.run.study, status: s.run.status, verdict: s.run.verdict, created: s.run.createdAt, trials: s.trials };
    } finally {
      store.close();
    }
  });
  if (flags.json) {
    for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`no study runs in ${flags.runs}/ (start one with \`continuum study run breadth --quick\`)\n`);
    return;
  }
  for (const r of rows) {
    const t = r.trials;
    process.stdout.write(
      `${r.dir}  ${r.study}  ${r.status}  ${r.verdict ?? '-'}  trials ${t.done}/${t.total} done${t.failed ? `, ${t.failed} failed` : ''}${t.queued + t.running ? `, ${t.queued + t.running} left` : ''}\n`,
    );
  }
}
