#!/usr/bin/env node
// The last tier of `npm test`: the packed tarball in every runtime the package claims.
//
//   npm pack ──► tickwheel-x.y.z.tgz ──► npm install --offline into a temp "app" ──► each runtime
//   loads the package the way its users do and runs the one shared suite (suite.mjs):
//
//     node ESM   import * as tw from 'tickwheel'           (fixtures/node.mjs; Node, Deno and Bun
//                resolve the "node" condition: dist/index.node.mjs, the CJS build re-exported,
//                so import and require share one module — the fixture checks it)
//     node CJS   require('tickwheel')                      (fixtures/node.cjs)
//     threads    two worker_threads, one driver each       (fixtures/threads.mjs)
//     deno       import from 'npm:tickwheel', offline      (fixtures/deno.mjs)
//     bun        import and require                        (fixtures/node.mjs, node.cjs)
//     chromium   a page (import map → dist/index.js), a module Web Worker, and a page bundled
//                by vite from `import … from 'tickwheel'`   (fixtures/*.html, bundle/)
//     tsc        a consumer type-checked with node16 ESM, node16 CJS and bundler resolution
//
// One line per runtime, PASS / FAIL / SKIP, then a closing count; exit 1 on any failure.
// Outside CI a missing browser, deno or bun is skipped with a line saying how to get it;
// under CI=true it is a failure. KEEP_TMP=1 keeps the temp dir; ONLY=node,deno,… runs a subset
// (ignored under CI). RUNTIMES_JSON=file writes every row and its lateness figures as JSON.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALLOW_STUBS } from './suite.mjs';
import { byteString } from '../../scripts/inline-wasm.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(here, 'fixtures');
const CI = !!process.env.CI && !/^(0|false)$/i.test(process.env.CI);
// ONLY=node,threads,deno,bun,browser,tsc picks runtimes while developing; CI runs them all.
const ONLY = process.env.ONLY && !CI ? process.env.ONLY.split(',') : undefined;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHILD_TIMEOUT = 120_000;

const rows = [];
const started = performance.now();

// ---- reporting -------------------------------------------------------------------------

function fmtLate(l) {
  return l ? `${l.p50.toFixed(2)}/${l.p99.toFixed(2)} ms` : 'n/a';
}

/** Records one runtime's outcome and prints its line (plus details when it failed). */
function record(name, status, note, extra = []) {
  rows.push({ name, status, note });
  const tag = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }[status];
  console.log(`${tag}  ${name.padEnd(26)} ${note}`);
  for (const line of extra) console.log(`        ${line.replace(/\n/g, '\n        ')}`);
}

/** Judges a suite report: every check passed (or is an allowed stub), and the right file loaded. */
function judge(name, report, expectLoaded) {
  if (!report || report.error) return record(name, 'fail', 'no report', [report?.error ?? 'the runtime printed no @@RESULT line']);
  const by = (s) => report.results.filter((r) => r.status === s);
  const failed = by('fail');
  const pending = by('pending');
  const extra = failed.map((r) => `✗ ${r.name}: ${r.detail}`);
  if (expectLoaded && !String(report.loaded ?? '').endsWith(expectLoaded)) {
    extra.push(`✗ loaded ${report.loaded}, expected …${expectLoaded}`);
  }
  const lt = report.lateness?.tickwheel;
  const ln = report.lateness?.native;
  let note = `${by('pass').length} passed, ${failed.length} failed` + (pending.length ? `, ${pending.length} pending` : '');
  if (lt) {
    note += `  lateness p50/p99 ${fmtLate(lt)}, <4 ms ${fmtLate(lt.short)}`;
    if (ln) note += `  (host setTimeout ${fmtLate(ln)}, <4 ms ${fmtLate(ln.short)}${ln.early ? `, ${ln.early} early` : ''})`;
  }
  if (pending.length) extra.push(`… pending implementation: ${[...new Set(pending.map((r) => r.name.replace(/^thread \d+: /, '')))].join(', ')}`);
  record(name, extra.some((l) => l.startsWith('✗')) ? 'fail' : 'pass', note, extra);
  rows.at(-1).report = report;
}

/** A runtime that is not installed: a failure under CI, a skip with a hint elsewhere. */
function missing(name, what, hint) {
  if (CI) record(name, 'fail', `${what} is missing (CI=true: a runtime that cannot run is a failure)`, [hint]);
  else record(name, 'skip', `${what} is missing; to enable: ${hint}`);
}

const want = (key) => !ONLY || ONLY.includes(key);

// ---- processes ---------------------------------------------------------------------------

/**
 * Runs a runtime on a fixture and returns the report from its "@@RESULT" line. The process
 * must also exit by itself soon after reporting: a driver left keeping it alive is a failure.
 */
function runSuiteProcess(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let report;
    let exitTimer;
    const kill = setTimeout(() => { child.kill('SIGKILL'); }, CHILD_TIMEOUT);
    child.stdout.on('data', (b) => {
      out += b;
      const m = /^@@RESULT (.*)\n/m.exec(out);
      if (m && !report) {
        report = JSON.parse(m[1]);
        exitTimer = setTimeout(() => {
          report.results.push({ name: 'process exits by itself', status: 'fail', detail: 'still running 10 s after the suite ended: something keeps the event loop alive' });
          child.kill('SIGKILL');
        }, 10_000);
      }
    });
    child.stderr.on('data', (b) => { err += b; });
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      clearTimeout(exitTimer);
      if (!report) {
        resolve({ error: `exit ${code ?? signal}; stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}` });
        return;
      }
      if (code !== 0 && !report.results.some((r) => r.status === 'fail')) {
        report.results.push({ name: 'exit code', status: 'fail', detail: `exit ${code ?? signal}\n${err.slice(-2000)}` });
      }
      resolve(report);
    });
  });
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { ok: r.status === 0, stdout: r.stdout ?? '', out: (r.stdout ?? '') + (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function hasBinary(path) {
  return existsSync(path) && sh(path, ['--version']).ok;
}

/**
 * Keep-alive in server runtimes (fixtures/ref.mjs): unref'd timers and { ref: false } sleeps
 * let the process exit, ref'd ones hold it until they fire. Adds one result to `report`.
 */
function keepAlive(report, cmd, args, opts) {
  if (!report || report.error) return report;
  const cases = { unref: '', 'sleep-unref': '', reref: 'fired', mixed: 'short' };
  const bad = [];
  let slowest = 0;
  for (const [c, expected] of Object.entries(cases)) {
    const t0 = performance.now();
    const r = spawnSync(cmd, [...args, c], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', timeout: 30_000 });
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    const out = (r.stdout ?? '').trim();
    if (r.status !== 0) bad.push(`${c}: exit ${r.status ?? r.signal} ${(r.stderr ?? '').slice(-500)}`);
    else if (out !== expected) bad.push(`${c}: printed ${JSON.stringify(out)}, expected ${JSON.stringify(expected)}`);
    else if (ms > 8000) bad.push(`${c}: took ${ms.toFixed(0)} ms to exit (an unref'd 20 s timer kept it alive?)`);
  }
  report.results.push({
    name: 'keep-alive (ref/unref)', ms: Math.round(slowest),
    status: bad.length ? 'fail' : 'pass', detail: bad.join('\n'),
  });
  return report;
}

// ---- the package, packed and installed ---------------------------------------------------

function prepare() {
  if (!existsSync(join(root, 'dist/index.js')) || !existsSync(join(root, 'dist/index.cjs'))) {
    console.error('runtimes: dist/ is missing; run `npm run build` first');
    process.exit(1);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'tickwheel-runtimes-'));
  const pack = sh('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: root });
  if (!pack.ok) throw new Error(`npm pack failed:\n${pack.out}`);
  const info = JSON.parse(pack.stdout)[0];
  const tgz = join(tmp, info.filename);

  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tickwheel-consumer', private: true, type: 'module' }, null, 2));
  const inst = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', tgz], { cwd: app });
  if (!inst.ok) throw new Error(`npm install of the tarball failed:\n${inst.out}`);
  // Deno resolves npm: specifiers from this node_modules (offline), via the dependency listed here.
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'tickwheel-consumer', private: true, type: 'module', dependencies: { tickwheel: info.version },
  }, null, 2));
  writeFileSync(join(app, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));

  cpSync(join(here, 'suite.mjs'), join(app, 'suite.mjs'));
  cpSync(fixtures, app, { recursive: true });
  cpSync(join(here, 'suite.mjs'), join(app, 'bundle', 'suite.mjs'));
  const files = info.files.map((f) => f.path);
  console.log(`runtimes: packed ${info.filename} (${files.length} files, ${(info.size / 1024).toFixed(1)} kB), installed offline into ${app}`);
  return { tmp, app, files };
}

// ---- the runtimes ------------------------------------------------------------------------

async function nodeRuntimes(app) {
  if (want('node')) {
    const esm = await runSuiteProcess(process.execPath, ['node.mjs', 'node-esm'], { cwd: app });
    judge('node ESM (import)', keepAlive(esm, process.execPath, ['ref.mjs'], { cwd: app }), '/node_modules/tickwheel/dist/index.node.mjs');
    judge('node CJS (require)', await runSuiteProcess(process.execPath, ['node.cjs', 'node-cjs'], { cwd: app }), '/node_modules/tickwheel/dist/index.cjs');
  }
  if (want('threads')) {
    judge('node worker_threads ×2', await runSuiteProcess(process.execPath, ['threads.mjs'], { cwd: app }), '/node_modules/tickwheel/dist/index.node.mjs');
  }
}

async function denoRuntime(app, tmp) {
  if (!want('deno')) return;
  const deno = join(root, 'node_modules/.bin/deno');
  if (!hasBinary(deno)) return missing('deno (npm:tickwheel)', 'deno', 'npm ci (deno is a devDependency)');
  const env = { DENO_DIR: join(tmp, 'deno-cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  // --cached-only: no network; no --allow-*: the package needs no permission.
  const run = ['run', '--quiet', '--no-prompt', '--cached-only'];
  const report = await runSuiteProcess(deno, [...run, 'deno.mjs'], { cwd: app, env });
  writeFileSync(join(app, 'ref.deno.mjs'), readFileSync(join(app, 'ref.mjs'), 'utf8').replace("from 'tickwheel'", "from 'npm:tickwheel'"));
  judge('deno (npm:tickwheel)', keepAlive(report, deno, [...run, 'ref.deno.mjs'], { cwd: app, env }), '/node_modules/tickwheel/dist/index.node.mjs');
}

async function bunRuntimes(app) {
  if (!want('bun')) return;
  const bun = join(root, 'node_modules/.bin/bun');
  if (!hasBinary(bun)) return missing('bun', 'bun', 'npm ci (bun is a devDependency)');
  const env = { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' };
  const esm = await runSuiteProcess(bun, ['node.mjs', 'bun-esm'], { cwd: app, env });
  judge('bun ESM (import)', keepAlive(esm, bun, ['ref.mjs'], { cwd: app, env }), '/node_modules/tickwheel/dist/index.node.mjs');
  judge('bun CJS (require)', await runSuiteProcess(bun, ['node.cjs', 'bun-cjs'], { cwd: app, env }), '/node_modules/tickwheel/dist/index.cjs');
}

/** tsc --noEmit over the consumer in three module modes. */
function typescriptConsumers(app) {
  if (!want('tsc')) return;
  const tsc = join(root, 'node_modules/.bin/tsc');
  const dir = join(app, 'ts');
  const src = readFileSync(join(dir, 'consumer.ts'), 'utf8');
  // While ALLOW_STUBS, the issue-3 API's declarations may be incomplete: check without that block too.
  const core = src.replace(/\/\/ @stubs-begin[\s\S]*?\/\/ @stubs-end/, '');
  const base = {
    strict: true, noEmit: true, skipLibCheck: false, types: [], target: 'es2022',
    lib: ['es2022', 'dom', 'esnext.disposable', 'esnext.asynciterable'],
  };
  const modes = [
    ['tsc node16 ESM (.mts)', 'consumer.mts', { module: 'node16', moduleResolution: 'node16' }],
    ['tsc node16 CJS (.cts)', 'consumer.cts', { module: 'node16', moduleResolution: 'node16' }],
    ['tsc bundler (.ts)', 'consumer.ts', { module: 'esnext', moduleResolution: 'bundler' }],
  ];
  const check = (file, text, compilerOptions) => {
    const name = file.replace(/\.(m|c)?ts$/, '');
    writeFileSync(join(dir, file), text);
    const cfg = join(dir, `tsconfig.${name}.${file.split('.').pop()}.json`);
    writeFileSync(cfg, JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, files: [file] }, null, 2));
    const traced = sh(tsc, ['-p', cfg, '--traceResolution'], { cwd: dir });
    const m = /Module name 'tickwheel' was successfully resolved to '([^']+)'/.exec(traced.out);
    const r = sh(tsc, ['-p', cfg, '--pretty', 'false'], { cwd: dir });
    return { ok: r.ok, out: r.out.trim(), resolved: m ? m[1] : undefined };
  };
  for (const [name, file, opts] of modes) {
    const full = check(file, src, opts);
    const where = full.resolved ? `types: ${full.resolved.slice(full.resolved.indexOf('tickwheel/') + 10)}` : '';
    const expect = file.endsWith('.cts') ? 'dist/types/index.d.cts' : 'dist/types/index.d.ts';
    if (full.resolved !== undefined && !full.resolved.endsWith(expect)) {
      record(name, 'fail', `resolved ${full.resolved}, expected ${expect}`);
    } else if (full.ok) {
      record(name, 'pass', `tsc --noEmit clean  ${where}`);
    } else if (ALLOW_STUBS) {
      const coreOnly = check(file, core, opts);
      const n = full.out.split('\n').filter((l) => /error TS/.test(l)).length;
      if (coreOnly.ok) record(name, 'pass', `tsc --noEmit clean without the issue-3 block  ${where}`, [`… pending implementation: ${n} type error(s) in the Sleep/Interval/DelayQueue block`]);
      else record(name, 'fail', 'type errors', [coreOnly.out]);
    } else {
      record(name, 'fail', 'type errors', [full.out]);
    }
  }
}

/** A static file server for the browser pages, on 127.0.0.1 and an ephemeral port. */
function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.cjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    let file = join(dir, path);
    if (!file.startsWith(dir + sep) && file !== dir) { res.writeHead(403).end(); return; }
    if (file.endsWith(sep)) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Builds fixtures/bundle with vite (rolldown) from `import … from 'tickwheel'`. */
async function bundlePage(app) {
  let vite;
  try {
    vite = await import('vite');
  } catch (e) {
    throw new Error(`vite could not be loaded (${e.message}); it comes with vitest: npm ci`);
  }
  const out = join(app, 'bundled');
  await vite.build({
    root: join(app, 'bundle'), base: './', configFile: false, logLevel: 'silent',
    build: { outDir: out, emptyOutDir: true, target: 'es2022', minify: true, modulePreload: false },
  });
  const js = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js'));
  const wasmAssets = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.wasm'));
  // The core travels as a string literal of its bytes (scripts/inline-wasm.mjs). Bundlers
  // may re-escape control chars, so look for the longest stretch of that literal that any
  // of them writes as it is: printable ASCII without quotes, backslashes or `$`.
  const literal = byteString(readFileSync(join(root, 'build', 'tickwheel.wasm')));
  const probe = (literal.match(/[\x20-\x7e]+/g) ?? []).flatMap((run) => run.split(/["'`\\$]/)).sort((a, b) => b.length - a.length)[0] ?? '';
  if (probe.length < 16) throw new Error(`no stretch of the wasm literal long enough to look for (${probe.length} chars)`);
  const inlined = js.some((f) => readFileSync(join(out, 'assets', f), 'utf8').includes(probe));
  if (!inlined || wasmAssets.length) throw new Error(`the bundle does not carry the wasm inline (js: ${js}, wasm assets: ${wasmAssets})`);
  return `${js.length} chunk(s), wasm inline`;
}

async function browserRuntimes(app) {
  if (!want('browser')) return;
  const names = ['chromium page (ESM)', 'chromium module Worker', 'chromium bundled (vite)'];
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    for (const n of names) missing(n, 'playwright-core', 'npm ci (playwright-core is a devDependency)');
    return;
  }
  if (!existsSync(CHROMIUM)) {
    for (const n of names) missing(n, `Chromium (${CHROMIUM})`, 'apt-get install -y chromium (or set CHROMIUM_PATH)');
    return;
  }
  let bundleNote;
  try {
    bundleNote = await bundlePage(app);
  } catch (e) {
    bundleNote = e;
  }
  const server = await serve(app);
  const origin = `http://127.0.0.1:${server.address().port}`;
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    const version = browser.version();
    const pages = [
      [names[0], '/index.html', '/node_modules/tickwheel/dist/index.js'],
      [names[1], '/worker.html', '/node_modules/tickwheel/dist/index.js'],
      [names[2], '/bundled/index.html', 'bundle'],
    ];
    for (const [name, path, expectLoaded] of pages) {
      if (name === names[2] && bundleNote instanceof Error) {
        record(name, 'fail', 'the bundle could not be built', [String(bundleNote.stack ?? bundleNote)]);
        continue;
      }
      const page = await browser.newPage();
      const log = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
      let report;
      try {
        await page.goto(origin + path);
        await page.waitForFunction(() => window.__result || window.__error, null, { timeout: CHILD_TIMEOUT });
        report = await page.evaluate(() => window.__result ?? { error: window.__error });
        report.engine = `Chromium ${version}`;
        if (log.length) report.results.push({ name: 'no page errors', status: 'fail', detail: log.join('\n') });
      } catch (e) {
        report = { error: `${e.message}\n${log.join('\n')}` };
      }
      await page.close();
      judge(name, report, expectLoaded);
      if (name === names[2] && rows.at(-1).status === 'pass') rows.at(-1).note += `  [${bundleNote}]`;
    }
  } catch (e) {
    record('chromium', 'fail', 'the browser could not be driven', [String(e.stack ?? e)]);
  } finally {
    await browser?.close();
    await new Promise((r) => server.close(r));
  }
}

// ---- main ------------------------------------------------------------------------------------

if (ONLY) console.log(`runtimes: ONLY=${ONLY.join(',')}: the other runtimes are not run`);
const { tmp, app, files } = prepare();
try {
  const need = ['package.json', 'LICENSE', 'dist/index.js', 'dist/index.cjs', 'dist/index.node.mjs', 'dist/types/index.d.ts', 'dist/types/index.d.cts'];
  const absent = need.filter((f) => !files.includes(f));
  const stray = files.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f) || f.endsWith('.map'));
  if (absent.length || stray.length) {
    record('npm pack', 'fail', 'the tarball holds the wrong files', [
      ...absent.map((f) => `✗ missing: ${f}`), ...stray.map((f) => `✗ should not be published: ${f}`)]);
  } else {
    record('npm pack', 'pass', `${files.length} files, installed offline with npm install <tgz>`);
  }
  await nodeRuntimes(app);
  await denoRuntime(app, tmp);
  await bunRuntimes(app);
  await browserRuntimes(app);
  typescriptConsumers(app);
} catch (e) {
  record('runner', 'fail', 'the runtime tier itself broke', [String(e.stack ?? e)]);
} finally {
  if (process.env.KEEP_TMP) console.log(`runtimes: kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

if (process.env.RUNTIMES_JSON) {
  // For docs/sections/runtimes.md: every row with its lateness figures.
  writeFileSync(process.env.RUNTIMES_JSON, JSON.stringify(rows.map((r) => ({
    name: r.name, status: r.status, note: r.note, engine: r.report?.engine, lateness: r.report?.lateness,
  })), null, 2));
}
const count = (s) => rows.filter((r) => r.status === s).length;
const secs = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\nruntimes (${secs} s${ALLOW_STUBS ? '; ALLOW_STUBS: stubbed issue-3 checks report "pending"' : ''}):`);
console.log(`runtimes: ${count('pass')} passed, ${count('fail')} failed${count('skip') ? `, ${count('skip')} skipped` : ''}`);
process.exit(count('fail') ? 1 : 0);
