// Loads the test build of the wasm core (production ABI + check() + pure bit math).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TestingCore {
  memory: WebAssembly.Memory;
  init(seed: number): void;
  schedule(enc: number, unref: number): number;
  cancel(id: number): number;
  refresh(id: number, enc: number): number;
  rekey(id: number, enc: number, unref: number): number;
  setRef(id: number, keep: number): number;
  flush(now: number, count: number): void;
  process(nowTick: number, begin: number): number;
  nextExpiration(): number;
  nextDeadline(): number;
  pending(): number;
  refs(): number;
  levelSlots(level: number): number;
  capacity(): number;
  slabBase(): number;
  windows(): number;
  seqNext(): number;
  setSeqNext(v: number): void;
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
