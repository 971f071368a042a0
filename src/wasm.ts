// The core: the wasm wheel (inlined, compiled synchronously once per realm, one instance per
// Driver) plus the per-timer operations, which JS does itself on views of the wasm memory.
//
// WHY the split: arming or cancelling one timer is a handful of loads and stores. Done in
// wasm, each cost a call across the boundary plus the call's own overhead, more than the
// work; done here, V8 inlines them into the caller. Everything that walks many entries
// (inserting a batch, handing out due entries, sweeping, growing) stays in wasm.
//
// This file must follow assembly/entry.ts exactly: an entry is 4 u32 words at the slab —
//   word 0..1  tick (43 bits) + seq low bits, or, while QUEUED / REFRESHING, an f64
//              "encoded delay" (ms >= 0, or -(instant + 1))
//   word 2     next link (NIL = 0xffffffff)
//   word 3     generation (bits 0..23) | state (24..26) | unref (27) | seq high bits (28..31)
// and the control block is 7 i32: free-list head, capacity, live, refs, dead, next seq, sweeps.

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
  /** flush(now, count): fixes the deadlines of the first `count` slots of the IN window. */
  f(now: number, count: number): void;
  /** process(nowTick, begin): hands out due entries through the OUT window; returns how many. */
  p(nowTick: number, begin: number): number;
  /** nextExpiration(): the tick of the next work, or -1. */
  x(): number;
  /** nextDeadline(): the exact smallest pending tick, or -1. */
  d(): number;
  /** levelSlots(level): occupied slots of a level. */
  l(level: number): number;
  /** slabBase(): byte offset of entry 0. */
  s(): number;
  /** windows(): byte offset of the IN window (OUT follows it). */
  w(): number;
  /** ctrl(): byte offset of the control block. */
  c(): number;
}

// Entry states (assembly/constants.ts).
const ST_QUEUED = 1;
const ST_QUEUED_DEAD = 2;
const ST_LIVE = 3;
const ST_REFRESHING = 4;
const ST_DEAD = 5;
const ST_EMITTED = 6;
const STATE_BITS = 7 << 24;
const UNREF_BIT = 1 << 27;
const NIL = 0xffff_ffff;
/** Ids are gen * 2^26 + slot with gen >= 1, below 2^50. */
const ID_SLOTS = SLOT_MASK + 1;
const ID_MIN = ID_SLOTS;
const ID_LIMIT = 2 ** 50;
// Control block words (assembly/entry.ts C_*).
const C_FREE = 0;
/** Entries the slab holds. */
export const C_CAP = 1;
/** Pending timers. */
export const C_LIVE = 2;
/** Pending timers that keep the host alive. */
export const C_REFS = 3;
const C_DEAD = 4;
/** The next sequence number (the driver renumbers before it runs out). */
export const C_SEQ = 5;
/** Sweeps so far (each frees every dead entry; the driver then drops their callbacks). */
export const C_SWEEPS = 6;

let compiled: WebAssembly.Module | undefined;

/** A fresh, empty core. */
export function createCore(seed: number): Core {
  compiled ??= load();
  const w = new WebAssembly.Instance(compiled, {}).exports as unknown as WasmCore;
  w.i(seed | 0);
  return new Core(w);
}

/**
 * One wheel: the wasm core (`_w`), views of its memory, and the per-timer operations. Ids
 * are gen * 2^26 + slot; every operation that takes an id checks its generation, so a
 * stale, forged or foreign id is recognised and changes nothing.
 *
 * Growing wasm memory detaches the old buffer (every view then reads as empty). Memory
 * grows only in `refill` and `reserve`, and `_views` renews them right after both.
 */
export class Core {
  _u32!: Uint32Array;
  _f64!: Float64Array;
  _ctrl!: Int32Array;
  _in!: Uint32Array;
  _out!: Int32Array;
  /** u32 index of entry 0's word 0; entry `slot` starts at _base + slot * 4. */
  readonly _base: number;
  /** u32 index of entry 0's word 3 (generation and state): _stateBase + slot * 4. */
  readonly _stateBase: number;

  constructor(readonly _w: WasmCore) {
    this._base = _w.s() >> 2;
    this._stateBase = this._base + 3;
    this._views();
  }

  _views(): void {
    const w = this._w;
    const buf = w.memory.buffer;
    this._u32 = new Uint32Array(buf);
    this._f64 = new Float64Array(buf);
    this._ctrl = new Int32Array(buf, w.c(), 7);
    this._in = new Uint32Array(buf, w.w(), WINDOW);
    this._out = new Int32Array(buf, w.w() + WINDOW * 4, WINDOW);
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
    const e = this._base + (i << 2);
    c[C_FREE] = u[e + 2];
    this._f64[e >> 1] = enc;
    u[e + 2] = NIL;
    const gen = u[e + 3] & GEN_MASK;
    u[e + 3] = gen | (unref ? ST_QUEUED << 24 | UNREF_BIT : ST_QUEUED << 24);
    c[C_LIVE]++;
    if (!unref) c[C_REFS]++;
    return gen * ID_SLOTS + i;
  }

  /** Cancels by id. Returns the slot when a pending timer was cancelled, else -1. */
  _cancel(id: number): number {
    const i = this._slotOf(id);
    if (i < 0) return -1;
    const u = this._u32;
    const e = this._stateBase + (i << 2);
    const b = u[e];
    const st = (b >>> 24) & 7;
    const c = this._ctrl;
    if (st === ST_QUEUED) {
      u[e] = (b & ~STATE_BITS) | ST_QUEUED_DEAD << 24; // the flush frees it
    } else if (st === ST_LIVE || st === ST_REFRESHING) {
      u[e] = (b & ~STATE_BITS) | ST_DEAD << 24; // reaped where it lies, or by a sweep
      c[C_DEAD]++;
    } else if (st === ST_EMITTED) {
      u[e] = b | STATE_BITS; // EMITTED_DEAD: handed out, its callback must not run
      return i;
    } else {
      return -1;
    }
    c[C_LIVE]--;
    if ((b & UNREF_BIT) === 0) c[C_REFS]--;
    return i;
  }

  /**
   * Re-arms by id with a new encoded delay. Returns the slot for JS to queue, else -1. An
   * entry still in a list must not get an earlier deadline (it stays where it lies and moves
   * on lazily); the driver re-keys instead.
   */
  _refresh(id: number, enc: number): number {
    const i = this._slotOf(id);
    if (i < 0) return -1;
    const u = this._u32;
    const e = this._base + (i << 2);
    const b = u[e + 3];
    const st = (b >>> 24) & 7;
    if (st === ST_LIVE || st === ST_REFRESHING) {
      u[e + 3] = (b & ~STATE_BITS) | ST_REFRESHING << 24;
    } else if (st === ST_EMITTED) {
      // Handed out and re-armed from its own callback: pending again.
      u[e + 3] = (b & ~STATE_BITS) | ST_QUEUED << 24;
      const c = this._ctrl;
      c[C_LIVE]++;
      if ((b & UNREF_BIT) === 0) c[C_REFS]++;
    } else if (st !== ST_QUEUED) {
      return -1;
    }
    this._f64[e >> 1] = enc;
    return i;
  }

  /** Marks a timer as (not) keeping the host alive. Returns 1 when the id was pending. */
  _setRef(id: number, keepAlive: number): number {
    const i = this._slotOf(id);
    if (i < 0) return 0;
    const e = this._stateBase + (i << 2);
    const b = this._u32[e];
    const st = (b >>> 24) & 7;
    if (st !== ST_QUEUED && st !== ST_LIVE && st !== ST_REFRESHING) return 0;
    if (((b & UNREF_BIT) !== 0) === !!keepAlive) {
      this._u32[e] = b ^ UNREF_BIT;
      this._ctrl[C_REFS] += keepAlive ? 1 : -1;
    }
    return 1;
  }

  /** The slot of a live-generation id, or -1 for anything else (stale, forged, not an integer). */
  _slotOf(id: number): number {
    if (!(id >= ID_MIN && id < ID_LIMIT)) return -1;
    const i = id & SLOT_MASK; // the low bits of an integer below 2^50; a fraction fails below
    if (i >= this._ctrl[C_CAP] || (this._u32[this._stateBase + (i << 2)] & GEN_MASK) * ID_SLOTS + i !== id) return -1;
    return i;
  }

  /** Pre-sizes the slab for `n` timers. */
  _reserve(n: number): void {
    this._w.r(n);
    this._views();
  }


}
