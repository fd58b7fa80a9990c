import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { projectPath } from '../../lib/paths';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const launcher = projectPath('bin', 'retain.js');

/**
 * Runs the real `retain` command (the compiled CLI, as a user would) and collects its output.
 * `npm test` builds first; running jest alone needs `npm run build` after changing sources.
 */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliResult> {
  if (!fs.existsSync(projectPath('dist', 'cli', 'main.js')))
    throw new Error('retain is not built: run `npm run build`');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], {
      env: { ...process.env, RETAIN_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
