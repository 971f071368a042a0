#!/usr/bin/env node
// Build step after rollup: dist/index.node.mjs, the entry Node's `import` resolves to
// (package.json "exports" → "node" → "import"). It re-exports the CommonJS build instead of
// loading the ESM one, so a process in which some code imports the package and other code
// requires it holds ONE copy: one default driver (an id from `setTimeout` can be cleared by
// the other side), one set of classes (`instanceof TimeoutError` holds across both). Without
// it, Node would load dist/index.js and dist/index.cjs as two unrelated modules (the "dual
// package hazard"). Browsers, bundlers, Deno and Bun that pick "import" outside the "node"
// condition get dist/index.js, the plain ESM bundle.
//
// The export list is read from the CommonJS build itself, so it cannot drift from it.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(root);
const cjs = require(`${root}dist/index.cjs`);
const names = Object.keys(cjs).filter((k) => k !== '__esModule' && k !== 'default').sort();
if (names.length === 0) {
  console.error('node-entry: dist/index.cjs exports nothing; run rollup first');
  process.exit(1);
}
const text = `// Node's ESM entry: the CommonJS build re-exported (one module per process; see scripts/node-entry.mjs).
import tw from './index.cjs';
export const { ${names.join(', ')} } = tw;
`;
writeFileSync(`${root}dist/index.node.mjs`, text);
