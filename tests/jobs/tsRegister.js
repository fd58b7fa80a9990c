/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook, loaded with node -r */
// Lets a plain `node` child process (the crash test's sender) load the TypeScript sources
// directly, compiled in memory with the project's TypeScript. Test support only.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  module._compile(out.outputText, filename);
};
