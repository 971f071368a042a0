// Loads the wasm core (inlined, compiled synchronously once per realm) and gives each
// Driver its own instance and typed-array views of its memory.

import load from '../build/tickwheel.wasm';
import { WINDOW } from './constants';

/** The core's exports: numbers only (see assembly/index.ts). */
export interface Core {
  memory: WebAssembly.Memory;
  init(seed: number): void;
  reserve(n: number): void;
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
 * has length 0), so users check `views._out.length === 0` and call `_refresh` in one place.
 */
export class Views {
  _u32!: Uint32Array;
  _in!: Uint32Array;
  _out!: Int32Array;
  /** u32 index of entry 0's word B (state byte) is _stateBase + slot * 4. */
  readonly _stateBase: number;
  readonly _window: number;

  constructor(private readonly _core: Core) {
    this._stateBase = (_core.slabBase() >> 2) + 3;
    this._window = WINDOW;
    this._refresh();
  }

  _refresh(): this {
    const buf = this._core.memory.buffer;
    this._u32 = new Uint32Array(buf);
    const at = this._core.windows();
    this._in = new Uint32Array(buf, at, this._window);
    this._out = new Int32Array(buf, at + this._window * 4, this._window);
    return this;
  }
}
