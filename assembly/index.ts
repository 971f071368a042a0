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

/**
 * Sets the core up empty on a fresh instance; at the driver's shutdown, empties it for the
 * queries that may follow (nothing runs on it again). `seed` salts generations so that ids
 * of different drivers differ.
 */
function init(seed: i32): void {
  slabInit(__heap_base, <u32>seed);
  w.wheelReset();
}

/** Pre-sizes the slab for `n` timers (Driver's initialCapacity). May grow memory. */
function reserve(n: i32): void {
  while (<u32>n > slabCapacity() && grow());
}


function nextDeadline(): f64 { return toF64(w.nextDeadline()); }
/** Every tick up to this one has been processed (the driver's stats place timers by it). */
function elapsedTick(): f64 { return <f64>w.getElapsed(); }
function slabBase(): i32 { return <i32>slabStart(); } // array A
/** Byte offset of the IN window (f64 records); the OUT window follows it (WINDOW * 8 bytes later). */
function windows(): i32 { return <i32>IN_WINDOW; }
/** Byte offset of the control block (entry.ts C_*). */
function ctrl(): i32 { return <i32>CTRL; }

// Exported under one-letter names: each name is stored twice in the bundle (in this module
// and where JS calls it), and the bundle has a size budget. src/wasm.ts (WasmCore) lists
// them with their long names.
// These are exported as the wheel defines them: their types are already the ABI's (a bool
// crosses as an i32 0 or 1).
export { flush as f, cancel as k, rearm as e, setRef as u, refill as g, process as p, nextExpiration as x } from './wheel';
export {
  init as i, reserve as r,
  nextDeadline as d, elapsedTick as t, slabBase as s, windows as w, ctrl as c,
};
