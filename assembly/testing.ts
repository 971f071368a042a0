// The test build: the whole production ABI plus the invariant check and the pure bit math,
// for table tests and ABI fuzzing. The package ships assembly/index.ts alone.

export * from './index';

import * as lv from './level';
import * as w from './wheel';

/** 0 when every invariant of the wheel holds, else the number of the first that failed. */
export function check(): i32 { return w.check(); }
export function dead(): i32 { return w.deadCount(); }
export function sweep(): i32 { return <i32>w.sweep(); }
export function elapsed(): f64 { return <f64>w.getElapsed(); }
/** Occupied slots of a level, from the wheel's own bitfield. */
export function levelSlots(level: i32): i32 { return w.levelSlots(<u32>level); }
export function stateAt(slot: i32): i32 { return <i32>w.stateAt(<u32>slot); }

// @ts-ignore: decorator
@inline function toF64(t: u64): f64 { return t == u64.MAX_VALUE ? -1 : <f64>t; }

export function levelFor(elapsedTick: f64, when: f64): i32 {
  return <i32>lv.levelFor(<u64>elapsedTick, <u64>when);
}
export function slotFor(when: f64, level: i32): i32 { return <i32>lv.slotFor(<u64>when, <u32>level); }
export function nextOccupiedOffset(lo: i32, hi: i32, nowSlot: i32): i32 {
  const occ = (<u64><u32>hi << 32) | <u64><u32>lo;
  return <i32>lv.nextOccupiedOffset(occ, <u32>nowSlot);
}
export function slotDeadline(elapsedTick: f64, level: i32, offset: i32): f64 {
  return <f64>lv.slotDeadline(<u64>elapsedTick, <u32>level, <u32>offset);
}
export function ticksCeil(ms: f64): f64 { return toF64(lv.ticksCeil(ms)); }
export function tickFor(enc: f64, now: f64): f64 { return toF64(w.tickFor(enc, now)); }
