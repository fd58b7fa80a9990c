import fs from 'node:fs';
import path from 'node:path';

/** The project root, found from this file whether it runs from source (ts-jest) or from dist/. */
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'tsconfig.json')))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the retain project root above ${start}`);
    dir = parent;
  }
}

export const projectRoot = findProjectRoot(__dirname);

/** Resolves a path given in config or on the command line against the current directory. */
export function resolveUserPath(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(process.cwd(), p);
}

/** Resolves a path that ships with the project (demo data, training corpora). */
export function projectPath(...parts: string[]): string {
  return path.join(projectRoot, ...parts);
}
