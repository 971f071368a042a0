#!/usr/bin/env node
// Build step after `tsc`: makes the declarations in dist/types correct for every TypeScript
// consumer the package claims (moduleResolution node16/nodenext, ESM and CJS, and bundler),
// also with skipLibCheck off. test/runtimes/run.mjs type-checks all three.
//
//   1. stripInternal leftovers. tsc drops an `@internal` interface (Target, Fixable) but
//      keeps `import type { Target }` and `implements Target` in the classes that use it:
//      errors (TS2305) for anyone who checks library types. Such names are dropped from
//      the import and the implements clause; any other use of one stops the build.
//   2. ESM specifiers. The package is "type": "module", so dist/types/x.d.ts is ESM, and
//      node16 ESM resolution cannot follow tsc's extensionless './driver': → './driver.js'.
//   3. CommonJS twins. `require` consumers get types through "exports" → "require" →
//      "types": dist/types/x.d.cts, the same text with './driver.cjs'. (A .d.cts may not
//      re-export an ESM .d.ts under node16 — TS1479 — hence a copy, not a one-line shim.)
//
// No dependency: tsc's declarations are small and regular, so rewriting them as text is all
// it takes (rollup-plugin-dts would need a second TypeScript).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'dist/types');

if (!existsSync(dir)) {
  console.error('dist-types: dist/types is missing; run tsc -p tsconfig.build.json first');
  process.exit(1);
}

/** Every file under `d`, recursively. */
function walk(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(dir);
for (const f of files) if (f.endsWith('.d.cts')) rmSync(f); // twins of removed sources
const dts = files.filter((f) => f.endsWith('.d.ts'));
const texts = new Map(dts.map((f) => [f, readFileSync(f, 'utf8')]));
const rel = (f) => relative(root, f);

// `from '…'`, `import '…'`, `import('…')`: relative specifiers only.
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*|\.\.?)\2/g;

/** The .d.ts file a relative specifier in `file` names, or undefined. */
function target(file, spec) {
  const abs = join(dirname(file), spec.replace(/\.(c|m)?js$/, ''));
  if (existsSync(abs + '.d.ts')) return abs + '.d.ts';
  if (existsSync(join(abs, 'index.d.ts'))) return join(abs, 'index.d.ts');
  return undefined;
}

/** Names a declaration file exports, or undefined when it re-exports a whole module (`export *`). */
function exportsOf(file) {
  const text = texts.get(file);
  if (/^export \*/m.test(text)) return undefined;
  const names = new Set();
  for (const m of text.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|let|var|enum|namespace) ([\w$]+)/gm)) names.add(m[1]);
  for (const m of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop();
      if (name) names.add(name);
    }
  }
  return names;
}

// ---- 1. stripInternal leftovers ---------------------------------------------------------

/** Splits "A<B, C>, D" at top-level commas. */
function splitTop(list) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '<' || ch === '(' || ch === '{' || ch === '[') depth++;
    if (ch === '>' || ch === ')' || ch === '}' || ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

let dropped = 0;
for (const [file, text] of texts) {
  const gone = new Set();
  let out = text.replace(/^import (type )?\{([^}]*)\} from (['"])(\.\.?\/[^'"]*)\3;\n/gm, (line, typeKw, list, q, spec) => {
    const to = target(file, spec);
    const exported = to && exportsOf(to);
    if (!exported) return line;
    const keep = [];
    for (const part of list.split(',').map((s) => s.trim()).filter(Boolean)) {
      const name = part.replace(/^type\s+/, '').split(/\s+as\s+/)[0];
      if (exported.has(name)) keep.push(part);
      else gone.add(part.replace(/^type\s+/, '').split(/\s+as\s+/).pop());
    }
    if (keep.length === 0) return '';
    return `import ${typeKw ?? ''}{ ${keep.join(', ')} } from ${q}${spec}${q};\n`;
  });
  if (gone.size === 0) continue;
  out = out.replace(/\bimplements\s+([^{]+?)\s*\{/g, (_m, list) => {
    const keep = splitTop(list).filter((t) => !gone.has(t.replace(/<[\s\S]*$/, '').trim()));
    return keep.length ? `implements ${keep.join(', ')} {` : '{';
  });
  for (const name of gone) {
    if (new RegExp(`\\b${name}\\b`).test(out)) {
      throw new Error(`dist-types: ${rel(file)} uses ${name}, which stripInternal removed from its module; ` +
        'export it without @internal, or stop using it in a public declaration');
    }
  }
  dropped += gone.size;
  texts.set(file, out);
}

// ---- 2 and 3. specifiers, and the CommonJS twins -----------------------------------------

/** './driver' → './driver' + ext, './dir' → './dir/index' + ext; explicit extensions mapped. */
function rewrite(text, file, ext) {
  return text.replace(SPEC, (_m, lead, q, spec) => {
    const to = target(file, spec);
    if (!to) throw new Error(`dist-types: ${rel(file)}: cannot resolve "${spec}"`);
    let out = relative(dirname(file), to).replace(/\\/g, '/').replace(/\.d\.ts$/, ext);
    if (!out.startsWith('.')) out = './' + out;
    return `${lead}${q}${out}${q}`;
  });
}

for (const [file, text] of texts) {
  const esm = rewrite(text, file, '.js');
  if (esm !== readFileSync(file, 'utf8')) writeFileSync(file, esm);
  writeFileSync(file.slice(0, -'.d.ts'.length) + '.d.cts', rewrite(text, file, '.cjs'));
}
console.log(`dist-types: ${dts.length} declaration files: ${dropped} stripped-internal reference(s) dropped, ` +
  'ESM specifiers given extensions, .d.cts twins written');
