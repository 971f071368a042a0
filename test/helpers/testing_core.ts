// Loads the test build of the wasm core (production ABI + check() + pure bit math) under
// the same JS Core as the package, so tests exercise the shipped per-timer operations.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Core, type WasmCore } from '../../src/wasm';

/** What only the test build exports besides the production ABI. */
interface TestingExports {
  check(): number;
  dead(): number;
  sweep(): number;
  elapsed(): number;
  stateAt(slot: number): number;
  levelFor(elapsed: number, when: number): number;
  slotFor(when: number, level: number): number;
  nextOccupiedOffset(lo: number, hi: number, nowSlot: number): number;
  slotDeadline(elapsed: number, level: number, offset: number): number;
  ticksCeil(ms: number): number;
  tickFor(enc: number, now: number): number;
}

/**
 * The package's Core (src/wasm.ts: per-timer operations in JS) with every export of the
 * test build's wasm on it too, so tests call `core.flush(…)` as well as `core.schedule(…)`.
 */
export type TestingCore = Core & Omit<WasmCore, 'reserve'> & TestingExports;

let mod: WebAssembly.Module | undefined;

export function testingCore(seed = 1): TestingCore {
  mod ??= new WebAssembly.Module(readFileSync(resolve(import.meta.dirname, '../../build/tickwheel.testing.wasm')));
  const w = new WebAssembly.Instance(mod, {}).exports as unknown as WasmCore & TestingExports;
  w.init(seed);
  const core = new Core(w) as TestingCore;
  const target = core as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(w)) if (!(k in core)) target[k] = v;
  return core;
}
