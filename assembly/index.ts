// The whole ABI of the wasm core. Only i32 and f64 cross the boundary: a u64 export would
// become a BigInt in JS and cost several times as much per call. Ticks stay u64 inside.
//
// Arming a timer is not here: JS does it with a few stores on the core's memory
// (src/wasm.ts), following the entry layout and the control block of entry.ts. The core
// checks every id it is given and does what walks many entries: it works through a batch
// of records (flush: registrations, cancels, refreshes), hands out due entries (process),
// reclaims cancelled ones (sweep, from flush or refill) and grows the slab; a synchronous
// cancel, re-arm or (un)ref by id is one call.
import { CTRL, slabBase as slabStart, slabInit } from './entry';
import { grow, capacity as slabCapacity } from './entry';
import { IN_WINDOW } from './wheel';
import * as w from './wheel';

const NONE: f64 = -1;

function toF64(t: u64): f64 { return t == u64.MAX_VALUE ? NONE : <f64>t; }

/** Empties the core. `seed` salts generations so that ids of different drivers differ. */
function init(seed: i32): void {
  slabInit(__heap_base, <u32>seed);
  w.wheelReset();
}

/** Pre-sizes the slab for `n` timers (Driver's initialCapacity). May grow memory. */
function reserve(n: i32): void {
  while (<u32>n > slabCapacity() && grow());
}

/** Makes the free list non-empty (sweeping or growing; may grow memory). 0 when memory is exhausted. */
function refill(): i32 { return w.refill() ? 1 : 0; }

function flush(now: f64, count: i32, more: i32): void { w.flush(now, <u32>count, more != 0); }
/** Cancels timer `id` now; the slot if it was pending, else -1. */
function cancel(id: f64): i32 { return w.cancel(id); }
/** Re-arms pending timer `id` for encoded delay `enc` (fixed by the flush of its slot); the slot, or -1. */
function rearm(id: f64, enc: f64): i32 { return w.rearm(id, enc); }
/** Marks pending timer `id` as keeping the host alive (1) or not (0); 1 if it was pending. */
function setRef(id: f64, keep: i32): i32 { return w.setRef(id, keep != 0) ? 1 : 0; }

function process(nowTick: f64, begin: i32): i32 {
  const t: u64 = nowTick > 0 ? <u64>nowTick : 0;
  return <i32>w.process(t, begin != 0);
}

function nextExpiration(): f64 { return toF64(w.nextExpiration()); }
function nextDeadline(): f64 { return toF64(w.nextDeadline()); }
function levelSlots(level: i32): i32 { return w.levelSlots(<u32>level); }
function slabBase(): i32 { return <i32>slabStart(); } // array A
/** Byte offset of the IN window (f64 records); the OUT window follows it (WINDOW * 8 bytes later). */
function windows(): i32 { return <i32>IN_WINDOW; }
/** Byte offset of the control block (entry.ts C_*). */
function ctrl(): i32 { return <i32>CTRL; }

// Exported under one-letter names: each name is stored twice in the bundle (in this module
// and where JS calls it), and the bundle has a size budget. src/wasm.ts (WasmCore) lists
// them with their long names.
export {
  init as i, reserve as r, refill as g, flush as f, cancel as k, rearm as e, setRef as u, process as p, nextExpiration as x,
  nextDeadline as d, levelSlots as l, slabBase as s, windows as w, ctrl as c,
};
