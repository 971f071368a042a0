// A Rollup/Vite plugin that inlines a .wasm file as a string literal of its bytes (one
// char per byte) and compiles it synchronously on first use:
//
//   import load from './x.wasm';   load() → WebAssembly.Module
//
// Why not @rollup/plugin-wasm's inline mode: it embeds base64, which gzip cannot see through
// (our 4 KB core gzips to 2.8 KB as base64, 2.3 KB as one char per byte), and it ships a
// Buffer/atob decoder. This literal decodes with charCodeAt alone, so it works unchanged in
// Node (ESM and CJS), browsers, workers, Deno, Bun and other bundlers.
import { readFileSync } from 'node:fs';

/** Bytes as the body of a JS string literal: printable ASCII as is, the rest escaped or raw. */
export function byteString(bytes) {
  let s = '';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) s += '\\' + String.fromCharCode(b); // " and \
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else s += String.fromCharCode(b); // 0x00-0xff: U+0000-U+00FF, valid in a literal
  }
  return s;
}

export function inlineWasm() {
  return {
    name: 'inline-wasm',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.wasm')) return null;
      const body = byteString(readFileSync(id));
      return {
        code: `const bytes = "${body}";\n` +
          'export default function load() {\n' +
          '  return new WebAssembly.Module(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));\n' +
          '}\n',
        map: null,
      };
    },
  };
}
