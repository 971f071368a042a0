// Size: bytes of the wasm core, and the published bundle raw / gzip / brotli. The budgets
// (also asserted by test/size.test.ts, on bytes): wasm <= 4096 B, gzip(dist/index.js) <= 12 KiB.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const id = 'size';
export const title = 'size';

export const BUDGET = { wasm: 4096, gzipEsm: 12 * 1024 };

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export async function run() {
  const wasm = readFileSync(process.env.TICKWHEEL_BENCH_WASM ?? here('../../build/tickwheel.wasm'));
  const esm = readFileSync(process.env.TICKWHEEL_BENCH_DIST ?? here('../../dist/index.js'));
  const cjsPath = process.env.TICKWHEEL_BENCH_DIST ? process.env.TICKWHEEL_BENCH_DIST.replace(/index\.js$/, 'index.cjs') : here('../../dist/index.cjs');
  let cjs;
  try { cjs = readFileSync(cjsPath); } catch { cjs = undefined; }
  const sizes = (b) => b && {
    raw: b.length,
    gzip: gzipSync(b).length, // zlib's default level, as `gzip` without flags
    gzip9: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  return {
    id, title,
    wasm: { raw: wasm.length, gzip: gzipSync(wasm).length },
    esm: sizes(esm),
    cjs: sizes(cjs),
    budget: BUDGET,
    met: { wasm: wasm.length <= BUDGET.wasm, gzipEsm: gzipSync(esm).length <= BUDGET.gzipEsm },
  };
}
