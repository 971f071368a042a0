// Loads the test build of the wasm core (production ABI + check() + pure bit math).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Core } from '../../src/wasm';

/** The production ABI (src/wasm.ts) plus what only the test build exports. */
export interface TestingCore extends Core {
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

let mod: WebAssembly.Module | undefined;

export function testingCore(seed = 1): TestingCore {
  mod ??= new WebAssembly.Module(readFileSync(resolve(import.meta.dirname, '../../build/tickwheel.testing.wasm')));
  const core = new WebAssembly.Instance(mod, {}).exports as unknown as TestingCore;
  core.init(seed);
  return core;
}
