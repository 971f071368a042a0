// A Rollup/Vite plugin that inlines a .wasm file as a string literal of its bytes (one
// char per byte) and compiles it synchronously on first use:
//
//   import load from './x.wasm';   load() → WebAssembly.Module
//
// Why not @rollup/plugin-wasm's inline mode: it embeds base64, which gzip cannot see through
// (our core gzips to 2.5 KB as base64, 2.0 KB as one char per byte), and it ships a
// Buffer/atob decoder. This literal decodes with charCodeAt alone, so it works unchanged in
// Node (ESM and CJS), browsers, workers, Deno, Bun and other bundlers.
import { readFileSync } from 'node:fs';

/**
 * Every byte is first shifted up by SHIFT (mod 256). Wasm is full of small bytes (0x00 most
 * of all: LEB128 zeros, alignment, local indices; then opcodes such as local.get 0x20 and
 * i32.const 0x41), and the minifier writes control chars as escapes (`\0`, `\x01`, …) of
 * two to four chars; shifted by 40, 0x00..0x56 land on the printable chars `(` to `~`,
 * which it writes as they are. SHIFT and ESC were chosen by measuring the gzip size of the
 * whole minified bundle for shifts 0..110 and 30 escape chars: 12,103 bytes against 12,322
 * unshifted (with `&` as the escape).
 */
const SHIFT = 40;
/** The escape char: `}`. */
const ESC = 0x7d;
/**
 * Bytes as the body of a JS string literal, one char per byte where it can: a shifted byte
 * of 0x80 or more would be a two-byte UTF-8 sequence in the bundle (and gzip sees it worse),
 * so it is written as ESC then the char (byte + 0x80) & 0xff, which is ASCII (ESC itself
 * becomes ESC, U+00FD). `"`, `\\`, LF and CR are escaped. The loader below undoes it.
 */
export function byteString(bytes) {
  let s = '';
  const put = (b) => {
    if (b === 0x22 || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else s += String.fromCharCode(b);
  };
  for (const b0 of bytes) {
    const b = (b0 + SHIFT) & 0xff;
    if (b >= 0x80 || b === ESC) { s += String.fromCharCode(ESC); put((b + 0x80) & 0xff); } else put(b);
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
          '/** The bytes written by byteString (scripts/inline-wasm.mjs). */\n' +
          'export function decode(s) {\n' +
          '  const out = new Uint8Array(s.length);\n' +
          '  let n = 0;\n' +
          '  for (let i = 0; i < s.length; i++) {\n' +
          '    const c = s.charCodeAt(i);\n' +
          `    out[n++] = (c !== ${ESC} ? c : (i++, s.charCodeAt(i) + 128)) - ${SHIFT} & 255;\n` +
          '  }\n' +
          '  return out.subarray(0, n);\n' +
          '}\n' +
          'export default function load() {\n' +
          '  return new WebAssembly.Module(decode(bytes));\n' +
          '}\n',
        map: null,
      };
    },
  };
}
