// Loads the test build of the wasm core (production ABI + check() + pure bit math) under
// the same JS Core as the package, so tests exercise the shipped per-timer operations.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { C_CAP, C_LIVE, C_REFS, C_SEQ, Core, type WasmCore } from '../../src/wasm';

/** What only the test build exports besides the production ABI. */
interface TestingExports {
  check(): number;
  dead(): number;
  sweep(): number;
  elapsed(): number;
  stateAt(slot: number): number;
  levelSlots(level: number): number;
  levelFor(elapsed: number, when: number): number;
  slotFor(when: number, level: number): number;
  nextOccupiedOffset(lo: number, hi: number, nowSlot: number): number;
  slotDeadline(elapsed: number, level: number, offset: number): number;
  ticksCeil(ms: number): number;
  tickFor(enc: number, now: number): number;
}

/** The wasm exports under their long names (the module exports them as one letter: WasmCore). */
interface WasmOps {
  init(seed: number): void;
  flush(now: number, count: number, more?: number): void;
  cancel(id: number): number;
  refresh(id: number, enc: number): number;
  setRef(id: number, keepAlive: number): number;
  process(nowTick: number, begin: number): number;
  nextExpiration(): number;
  nextDeadline(): number;
  elapsedTick(): number;
  slabBase(): number;
  windows(): number;
  memory: WebAssembly.Memory;
}

const LONG: Record<string, keyof WasmOps> = {
  i: 'init', f: 'flush', k: 'cancel', e: 'refresh', u: 'setRef', p: 'process', x: 'nextExpiration', d: 'nextDeadline', t: 'elapsedTick', s: 'slabBase', w: 'windows',
};

/** The per-timer operations of the package's Core, under the ABI's names. */
interface CoreOps {
  schedule(enc: number, unref: number): number;
  rekey(id: number, enc: number, unref: number): number;
  pending(): number;
  refs(): number;
  capacity(): number;
  seqNext(): number;
  setSeqNext(v: number): void;
  reserve(n: number): void;
}

/**
 * The package's Core (src/wasm.ts: per-timer operations in JS; its members are `_`-named
 * so the bundle can mangle them) with those operations under the ABI's names, and every
 * export of the test build's wasm on it too (under long names): tests call `core.flush(…)`
 * as well as `core.schedule(…)`, and both run the shipped code.
 */
export type TestingCore = Core & CoreOps & WasmOps & TestingExports;

const OPS: (keyof CoreOps)[] = ['schedule', 'reserve'];

let mod: WebAssembly.Module | undefined;

export function testingCore(seed = 1): TestingCore {
  mod ??= new WebAssembly.Module(readFileSync(resolve(import.meta.dirname, '../../build/tickwheel.testing.wasm')));
  const w = new WebAssembly.Instance(mod, {}).exports as unknown as WasmCore & TestingExports;
  w.i(seed);
  const core = new Core(w) as TestingCore;
  const target = core as unknown as Record<string, unknown>;
  for (const k of OPS) target[k] = (target[`_${k}`] as (...a: number[]) => number).bind(core);
  target.rekey = (id: number, enc: number, unref: number) => { w.k(id); return core._schedule(enc, unref); };
  target.seqNext = () => core._ctrl[C_SEQ];
  target.pending = () => core._ctrl[C_LIVE];
  target.refs = () => core._ctrl[C_REFS];
  target.capacity = () => core._ctrl[C_CAP];
  target.setSeqNext = (v: number) => { core._ctrl[C_SEQ] = v; };
  for (const [k, v] of Object.entries(w)) if (!(k in core)) target[LONG[k] ?? k] = v;
  return core;
}
