// Size budgets, asserted on bytes (never on time: speed is a ratio measured by `npm run bench`).
// `npm test` builds first; run `npm run build` before `vitest run test/size.test.ts` alone.
//
//   build/tickwheel.wasm           <= 4096 bytes
//   gzip(dist/index.js)            <= 12 KiB (zlib's default level, as `gzip` without flags)

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const WASM = resolve(root, 'build/tickwheel.wasm');
const ESM = resolve(root, 'dist/index.js');

const WASM_BUDGET = 4096;
const GZIP_BUDGET = 12 * 1024;

function read(path: string): Buffer {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return readFileSync(path);
}

describe('size budget', () => {
  it(`the wasm core is at most ${WASM_BUDGET} bytes`, () => {
    const bytes = read(WASM).length;
    expect(bytes, `build/tickwheel.wasm is ${bytes} bytes (budget ${WASM_BUDGET})`).toBeLessThanOrEqual(WASM_BUDGET);
  });

  it(`dist/index.js is at most ${GZIP_BUDGET} bytes gzipped`, () => {
    const gz = gzipSync(read(ESM)).length;
    expect(gz, `gzip(dist/index.js) is ${gz} bytes (budget ${GZIP_BUDGET})`).toBeLessThanOrEqual(GZIP_BUDGET);
  });
});
