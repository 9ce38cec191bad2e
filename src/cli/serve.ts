/**
 * `continuum serve [--port 4300] [--host 127.0.0.1] [--runs runs]`: the dashboard over a runs directory.
 * It binds to the loopback address unless --host says otherwise, since sampling spends this machine's CPU.
 */
import { Command, Option } from 'commander';
import { mkdirSync } from 'node:fs';
import { parseEngineName, prepareEngine } from '../model/engines.js';
import { buildServer } from '../server/app.js';
import { int } from './args.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('the dashboard: live training curves, run browser, comparisons, tasks and sampling in a web page')
    .option('--port <n>', 'port to listen on (0 = any free port)', int('--port'), 4300)
    .option('--host <address>', 'address to bind; 0.0.0.0 exposes it to the network', '127.0.0.1')
    .option('--runs <dir>', 'the runs directory to browse', 'runs')
    .addOption(new Option('--engine <name>', 'compute engine for sampling').choices(['native', 'reference', 'wasm']).default('native'))
    .action(async (flags: { port: number; host: string; runs: string; engine: string }) => {
      mkdirSync(flags.runs, { recursive: true });
      const engine = parseEngineName(flags.engine);
      await prepareEngine(engine);
      const app = await buildServer({ runsDir: flags.runs, host: flags.host, engine });
      const address = await app.listen({ port: flags.port, host: flags.host });
      process.stderr.write(`continuum dashboard on ${address}/ (runs: ${flags.runs}); Ctrl-C stops it\n`);
      const stop = () => void app.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
