// The core: the wasm wheel (inlined, compiled synchronously once per realm, one instance per
// Driver) plus arming, which JS does itself on views of the wasm memory.
//
// WHY the split: arming a timer is a handful of loads and stores. Done in wasm, it cost a
// call across the boundary plus the call's own overhead, more than the work; done here, V8
// inlines it into setTimeout. Everything that takes an id (and so checks it) is in wasm:
// the façade's cancels and refreshes reach it as records of the queue the checkpoint
// flushes (one tight loop in wasm over many ids overlaps their cache misses); the rarer
// synchronous cancel, re-arm and (un)ref are calls. Everything that walks many entries
// (inserting a batch, handing out due entries, sweeping, growing) is in wasm too.
//
// This file must follow assembly/entry.ts exactly: entry i's fields are in four arrays, back
// to back from slabBase, each `capacity` entries long (so they move when the slab grows) —
//   A     u64 / f64 at slabBase + 8i: tick (43 bits) + seq low bits, or, while QUEUED or
//         REFRESHING, an f64 "encoded delay" (ms >= 0, or -(instant + 1))
//   next  u32: list link (NIL = 0xffffffff)
//   B     u32: generation (bits 0..23) | state (24..26) | unref (27) | seq high bits (28..31)
//   D     u32: the façade's delay in whole ms (the driver writes it; refresh records use it)
// and the control block is 8 i32: free-list head, capacity, live, refs, dead, next seq,
// sweeps, cancels applied by the flush.

import load from '../build/tickwheel.wasm';
import { GEN_MASK, SLOT_MASK, WINDOW } from './constants';

/**
 * The wasm module's exports (assembly/index.ts), under the one-letter names it exports them
 * as (every name is in the bundle twice, and the bundle has a size budget).
 */
export interface WasmCore {
  memory: WebAssembly.Memory;
  /** init(seed): empties the core; `seed` salts the generations of its ids. */
  i(seed: number): void;
  /** reserve(n): pre-sizes the slab for n timers (may grow memory). */
  r(n: number): void;
  /** refill(): makes the free list non-empty, sweeping or growing; 0 when memory is exhausted. */
  g(): number;
  /**
   * flush(now, count, flags): applies the first `count` records of the IN window in order
   * (slots to fix against `now`, cancels, refreshes; see assembly/wheel.ts). `flags`: 1, more
   * windows of this burst follow (no sweep yet); 2, the window holds slots only.
   */
  f(now: number, count: number, flags?: number): void;
  /** cancel(id): cancels a pending timer now; its slot, or -1 if `id` was not pending. */
  k(id: number): number;
  /**
   * rearm(id, enc): re-arms a pending timer for an encoded delay, fixed by the flush of its
   * slot (which JS queues); the slot, or -1. Never for an earlier deadline (the driver re-keys).
   */
  e(id: number, enc: number): number;
  /**
   * setRef(id, keep): whether a pending timer keeps the host alive; 1 if `id` was pending or
   * handed out in the running pass (counted again, by this bit, if it re-arms).
   */
  u(id: number, keep: number): number;
  /**
   * process(now, begin): hands out entries due by `now` (ms; its whole tick: fractions are cut,
   * negative and NaN read as 0) through the OUT window; returns how many.
   */
  p(now: number, begin: number): number;
  /** nextExpiration(): the tick of the next work, or -1. */
  x(): number;
  /** nextDeadline(): the exact smallest pending tick, or -1. */
  d(): number;
  /** elapsedTick(): every tick up to this one has been processed. */
  t(): number;
  /** slabBase(): byte offset of array A (entry 0's word A). */
  s(): number;
  /** windows(): byte offset of the IN window (WINDOW f64; OUT, WINDOW i32, follows it). */
  w(): number;
  /** ctrl(): byte offset of the control block. */
  c(): number;
}

// Entry states (assembly/constants.ts).
const ST_QUEUED = 1;
const UNREF_BIT = 1 << 27;
/** Ids are gen * 2^26 + slot. */
const ID_SLOTS = SLOT_MASK + 1;
// Control block words (assembly/entry.ts C_*).
const C_FREE = 0;
/** Entries the slab holds. */
export const C_CAP = 1;
/** Pending timers. */
export const C_LIVE = 2;
/** Pending timers that keep the host alive. */
export const C_REFS = 3;
/** The next sequence number (the driver renumbers before it runs out). */
export const C_SEQ = 5;
/** Sweeps so far (each frees every dead entry; the driver then drops their callbacks). */
export const C_SWEEPS = 6;
/** Pending timers the flush cancelled (from cancel records) since JS last took the count. */
export const C_KILLED = 7;

let compiled: WebAssembly.Module | undefined;

/** A fresh, empty core. */
export function createCore(seed: number): Core {
  compiled ??= load();
  const w = new WebAssembly.Instance(compiled, {}).exports as unknown as WasmCore;
  w.i(seed | 0);
  return new Core(w);
}

/**
 * One wheel: the wasm core (`_w`), views of its memory, and arming. Ids are gen * 2^26 +
 * slot; the core checks the generation of every id it is given (cancel, rearm, setRef and
 * the flush's records), so a stale, forged or foreign id is recognised and changes nothing.
 *
 * Growing wasm memory detaches the old buffer (every view then reads as empty), and growing
 * the slab moves the next and B arrays. Both happen only in `refill` and `reserve`, and
 * `_views` renews the views and the array offsets right after both.
 */
export class Core {
  _u32!: Uint32Array;
  _f64!: Float64Array;
  _ctrl!: Int32Array;
  _in!: Float64Array;
  _out!: Int32Array;
  /** u32 index of array A: entry `slot`'s word A is u32 words _base + 2 slot (low) and + 1 (high). */
  readonly _base: number;
  /** u32 index of array B (generation and state): entry `slot`'s is _stateBase + slot. Moves on growth. */
  _stateBase = 0;
  /** u32 index of the next array. Moves on growth. */
  _nextBase = 0;
  /** u32 index of array D (the façade's delays). Moves on growth. */
  _delayBase = 0;

  constructor(readonly _w: WasmCore) {
    this._base = _w.s() >> 2;
    this._views();
  }

  _views(): void {
    const w = this._w;
    const buf = w.memory.buffer;
    this._u32 = new Uint32Array(buf);
    this._f64 = new Float64Array(buf);
    const cap = (this._ctrl = new Int32Array(buf, w.c(), 8))[C_CAP];
    this._delayBase = cap + (this._stateBase = cap + (this._nextBase = this._base + 2 * cap));
    this._in = new Float64Array(buf, w.w(), WINDOW);
    this._out = new Int32Array(buf, w.w() + WINDOW * 8, WINDOW);
  }

  /** Arms a timer for `enc` (a delay >= 0, or -(instant + 1)); its deadline is fixed by the next flush. -1 when memory is exhausted. */
  _schedule(enc: number, unref: number): number {
    let c = this._ctrl;
    let i = c[C_FREE];
    if (i < 0) {
      if (!this._w.g()) return -1; // refill
      this._views(); // memory may have grown
      c = this._ctrl;
      i = c[C_FREE];
    }
    const u = this._u32;
    c[C_FREE] = u[this._nextBase + i]; // its link is set when the flush chains it
    this._f64[(this._base >> 1) + i] = enc;
    const s = this._stateBase + i;
    const gen = u[s] & GEN_MASK;
    u[s] = gen | (unref ? ST_QUEUED << 24 | UNREF_BIT : ST_QUEUED << 24);
    c[C_LIVE]++;
    if (!unref) c[C_REFS]++;
    return gen * ID_SLOTS + i;
  }

  /** Pre-sizes the slab for `n` timers. */
  _reserve(n: number): void {
    this._w.r(n);
    this._views();
  }


}
