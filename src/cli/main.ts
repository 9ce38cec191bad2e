/**
 * The `continuum` command line. Each command lives in its own file and registers itself here.
 */
import { Command } from 'commander';
import { registerBenchCommand } from './bench.js';
import { registerPretrainCommand } from './pretrain.js';
import { registerQueueCommands, registerWorkerCommand } from './queue.js';
import { registerSampleCommand } from './sample.js';
import { registerServeCommand } from './serve.js';
import { registerStudyCommands } from './study.js';
import { registerTasksCommands } from './tasks.js';
import { registerTrainCommand } from './train.js';

export function buildProgram(): Command {
  const program = new Command('continuum')
    .description('A laboratory for how small transformers generalize, from pre-training to reinforcement learning.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });
  registerPretrainCommand(program);
  registerTrainCommand(program);
  registerSampleCommand(program);
  registerTasksCommands(program);
  registerBenchCommand(program);
  registerStudyCommands(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerQueueCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
