// Lets require() load the project's TypeScript sources (src/, test/) without a build: each .ts file is
// transpiled on load with the project's TypeScript, type-only, like ts-jest with isolatedModules. Types are not
// checked here (npm run lint does that). Used by scripts/render-cards.mjs to read test/unit/cards/samples.ts.
'use strict';

const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
