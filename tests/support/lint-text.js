/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run with node */
'use strict';
// Lints source snippets as if they were files of the project, with the architecture rules
// (eslint.architecture.mjs), and prints the messages of each. Run by
// tests/architecture/boundaries.test.ts in its own process, since ESLint loads its flat config
// with import(), which jest's module sandbox does not offer.
// stdin: [{ "file": "lib/x.ts", "code": "..." }, ...]  stdout: [["message", ...], ...]
const path = require('node:path');
const { ESLint } = require('eslint');

const root = path.join(__dirname, '..', '..');

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'eslint.architecture.mjs') });
  const out = [];
  for (const { file, code } of JSON.parse(input)) {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file), warnIgnored: true });
    out.push(result.messages.map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
