import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { projectPath } from '../lib/paths';
import { config } from './context';
import { registerServe } from './commands/serve';
import { registerImport } from './commands/import';
import { registerDb } from './commands/db';
import { registerAnalytics } from './commands/analytics';
import { registerRecs } from './commands/recs';
import { registerNlp } from './commands/nlp';
import { registerMarketers } from './commands/marketers';
import { registerJobs } from './commands/jobs';
import { registerUplift } from './commands/uplift';
import { registerEmail } from './commands/email';

export function buildProgram(): Command {
  const program = new Command('retain')
    .description('retain: marketing assistant bot for e-commerce teams')
    .version(JSON.parse(fs.readFileSync(projectPath('package.json'), 'utf8')).version as string)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    // Configuration is validated before any command runs, so a typo in .env is reported at once.
    .hook('preAction', () => void config());
  // One line per command group; each module registers its own sub-commands.
  registerServe(program);
  registerImport(program);
  registerDb(program);
  registerAnalytics(program);
  registerRecs(program);
  registerNlp(program);
  registerMarketers(program);
  registerJobs(program);
  registerUplift(program);
  registerEmail(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1 (message already printed).
      process.exitCode = err.exitCode;
      return;
    }
    // Errors meant for the user carry an exit code (CliError, ConfigError, ImportError, ...).
    if (hasExitCode(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

function hasExitCode(err: unknown): err is Error & { exitCode: number } {
  return err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode === 'number';
}
