/**
 * A TypeScript file of the tests run as a process of its own (`node -r tests/jobs/tsRegister.js
 * FILE ARGS...`), for tests that kill it with SIGKILL or need a real server process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { projectPath } from '../../lib/paths';

/** The node arguments that run `script` (a .ts file) with `args`. */
export function tsNodeArgs(script: string, ...args: string[]): string[] {
  return ['-r', projectPath('tests', 'jobs', 'tsRegister.js'), script, ...args];
}

export interface TsChild {
  child: ChildProcess;
  /** Resolves when the process exits, with everything it wrote. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `script` in the project folder, collecting its output. */
export function spawnTsChild(script: string, ...args: string[]): TsChild {
  const child = spawn(process.execPath, tsNodeArgs(script, ...args), {
    cwd: projectPath(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}
