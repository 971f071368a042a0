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

describe('the inlined core (scripts/inline-wasm.mjs)', () => {
  it('decodes every byte value back exactly, and the built literal back to the wasm file', async () => {
    const { inlineWasm } = await import('../scripts/inline-wasm.mjs');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { pathToFileURL } = await import('node:url');
    const dir = mkdtempSync(resolve(tmpdir(), 'tickwheel-inline-'));
    const decoded = async (bytes: Uint8Array) => {
      const file = resolve(dir, `${bytes.length}.wasm`);
      writeFileSync(file, bytes);
      const mod = resolve(dir, `${bytes.length}.mjs`);
      writeFileSync(mod, `${inlineWasm().load(file).code}\nexport const decoded = decode(bytes);\n`);
      return (await import(pathToFileURL(mod).href)).decoded as Uint8Array;
    };
    const every = Uint8Array.from({ length: 512 }, (_, i) => (i * 167) & 255); // each value twice, in a scrambled order
    expect(Array.from(await decoded(every))).toEqual(Array.from(every));
    const wasm = new Uint8Array(read(WASM));
    expect(Buffer.from(await decoded(wasm)).equals(Buffer.from(wasm))).toBe(true);
  });
});
