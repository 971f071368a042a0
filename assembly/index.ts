// The whole ABI of the wasm core. Only i32 and f64 cross the boundary: a u64 export would
// become a BigInt in JS and cost several times as much per call. Ticks stay u64 inside.
//
// Ids handed to JS are gen * 2^26 + slot (an integer below 2^50, exact in an f64); JS finds
// the slot with `id & (2^26 - 1)`, and every call that takes an id checks its generation,
// so a stale, forged or foreign id is recognised and changes nothing.

import { GEN_BITS, MAX_ENTRIES, NIL, SLOT_ID_BITS, WINDOW } from './constants';
import { capacity as slabCapacity, genOf, grow, slabBase as slabStart, slabInit } from './entry';
import * as lv from './level';
import * as w from './wheel';

const ID_MIN: f64 = <f64>MAX_ENTRIES; //              gen 1, slot 0
const ID_LIMIT: f64 = <f64>(<u64>1 << (SLOT_ID_BITS + GEN_BITS)); // 2^50
const NONE: f64 = -1;

function toF64(t: u64): f64 { return t == u64.MAX_VALUE ? NONE : <f64>t; }

function idOf(slot: u32): f64 {
  return <f64>((<u64>genOf(slot) << SLOT_ID_BITS) | <u64>slot);
}

/** The slot of a live-generation id, or NIL for anything else (stale, forged, not an integer). */
function slotOfId(id: f64): u32 {
  if (!(id >= ID_MIN && id < ID_LIMIT)) return NIL;
  const u = <u64>id;
  if (<f64>u != id) return NIL;
  const slot = <u32>(u & (<u64>MAX_ENTRIES - 1));
  if (slot >= slabCapacity() || genOf(slot) != <u32>(u >> SLOT_ID_BITS)) return NIL;
  return slot;
}

/** Empties the core. `seed` salts generations so that ids of different drivers differ. */
export function init(seed: i32): void {
  slabInit(__heap_base, <u32>seed);
  w.wheelReset();
}

/** Pre-sizes the slab for `n` timers (Driver's initialCapacity). */
export function reserve(n: i32): void {
  while (<u32>n > slabCapacity() && grow());
}

/** Arms a timer: `enc` is a delay (>= 0) or -(instant + 1). Returns its id, or -1 when memory is exhausted. */
export function schedule(enc: f64, unref: i32): f64 {
  const i = w.arm(enc, unref != 0);
  return i == NIL ? NONE : idOf(i);
}

/** Cancels by id. Returns the slot when a pending timer was cancelled, else -1. */
export function cancel(id: f64): i32 {
  const i = slotOfId(id);
  return i != NIL && w.cancel(i) ? <i32>i : -1;
}

/** Re-arms by id with a new encoded delay. Returns the slot for JS to queue, else -1. */
export function refresh(id: f64, enc: f64): i32 {
  const i = slotOfId(id);
  return i != NIL && w.rearm(i, enc) ? <i32>i : -1;
}

/**
 * Replaces timer `id` (if pending) by a new one: the old entry is dropped where it lies and a
 * new id is returned (-1 when memory is exhausted). One call for "reset to any deadline".
 */
export function rekey(id: f64, enc: f64, unref: i32): f64 {
  const i = slotOfId(id);
  if (i != NIL) w.cancel(i);
  return schedule(enc, unref);
}

/** Marks a timer as (not) keeping the host alive. Returns 1 when the id was pending. */
export function setRef(id: f64, keepAlive: i32): i32 {
  const i = slotOfId(id);
  return i != NIL && w.setRef(i, keepAlive != 0) ? 1 : 0;
}

export function flush(now: f64, count: i32): void { w.flush(now, <u32>count); }

export function process(nowTick: f64, begin: i32): i32 {
  const t: u64 = nowTick > 0 ? <u64>nowTick : 0;
  return <i32>w.process(t, begin != 0);
}

export function nextExpiration(): f64 { return toF64(w.nextExpiration()); }
export function nextDeadline(): f64 { return toF64(w.nextDeadline()); }
export function pending(): i32 { return w.liveCount(); }
export function refs(): i32 { return w.refCount(); }
export function levelSlots(level: i32): i32 { return w.levelSlots(<u32>level); }
export function capacity(): i32 { return <i32>slabCapacity(); }
export function slabBase(): i32 { return <i32>slabStart(); }
/** Byte offset of the IN window; the OUT window follows it (WINDOW * 4 bytes later). */
export function windows(): i32 { return <i32>w.IN_WINDOW; }
export function seqNext(): f64 { return <f64>w.getSeqNext(); }
export function setSeqNext(v: f64): void { w.setSeqNext(<u32>v); }
