// Loads the wasm core (inlined, compiled synchronously once per realm) and gives each
// Driver its own instance and typed-array views of its memory.

import load from '../build/tickwheel.wasm';
import { WINDOW } from './constants';

/** The core's exports: numbers only (see assembly/index.ts). */
export interface Core {
  memory: WebAssembly.Memory;
  init(seed: number): void;
  reserve(n: number): number;
  schedule(enc: number, unref: number): number;
  cancel(id: number): number;
  refresh(id: number, enc: number): number;
  rekey(id: number, enc: number, unref: number): number;
  setRef(id: number, keepAlive: number): number;
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
}

let compiled: WebAssembly.Module | undefined;

/** A fresh, empty core. */
export function createCore(seed: number): Core {
  compiled ??= load();
  const core = new WebAssembly.Instance(compiled, {}).exports as unknown as Core;
  core.init(seed | 0);
  return core;
}

/**
 * Views of a core's memory. Growing wasm memory detaches the old buffer (every view then
 * has length 0), so users check `views.out.length === 0` and call `refresh` in one place.
 */
export class Views {
  u32!: Uint32Array;
  inWin!: Uint32Array;
  out!: Int32Array;
  /** u32 index of entry 0's word B (state byte) is stateBase + slot * 4. */
  readonly stateBase: number;
  readonly window: number;

  constructor(private readonly core: Core) {
    this.stateBase = (core.slabBase() >> 2) + 3;
    this.window = WINDOW;
    this.refresh();
  }

  refresh(): this {
    const buf = this.core.memory.buffer;
    this.u32 = new Uint32Array(buf);
    const at = this.core.windows();
    this.inWin = new Uint32Array(buf, at, this.window);
    this.out = new Int32Array(buf, at + this.window * 4, this.window);
    return this;
  }
}
