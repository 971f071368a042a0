#!/usr/bin/env node
// `npm test`: everything the tests need, then every tier of tests, failing loudly.
//   1. dependencies (npm ci when node_modules is missing or older than the lockfile)
//   2. build: wasm core (release + testing builds), tsc, rollup
//   3. unit, model and reliability tests (vitest)
//   4. the packed tarball in every runtime (test/runtimes/run.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\nnpm test: "${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

const lock = 'package-lock.json';
const stamp = 'node_modules/.package-lock.json';
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs) run('npm', ['ci']);

run('npm', ['run', '-s', 'build']);
run('npx', ['asc', 'assembly/testing.ts', '--config', 'asconfig.json', '--target', 'testing']);
run('npx', ['vitest', 'run']);
if (existsSync('test/runtimes/run.mjs')) run(process.execPath, ['test/runtimes/run.mjs']);
// The closing line CI reads: tiers of tests run (vitest, and the runtimes when present).
const tiers = existsSync('test/runtimes/run.mjs') ? 2 : 1;
console.log(`\nnpm test: all tiers passed\ntiers: ${tiers} passed, 0 failed`);
