// The bit math of the wheel, as tiny pure functions (tested at every level boundary ± 1).
//
// A level L slot spans 64^L ticks; the level spans 64^(L+1). A deadline `when` goes to
// the lowest level at which it shares its slot-of-the-level-above with `elapsed`:
// the highest bit in which they differ decides (Tokio's `(elapsed ^ when) | 63`).

import { HORIZON, LEVELS, SLOT_BITS, SLOT_MASK } from './constants';

/** The level a deadline `when > elapsed` belongs to, 0..5. Beyond the horizon it is the top. */
export function levelFor(elapsed: u64, when: u64): u32 {
  let masked = (elapsed ^ when) | SLOT_MASK;
  // A deadline more than one top-level rotation away is folded into the top level.
  if (masked >= HORIZON) masked = HORIZON - 1;
  const significant = <u32>(63 - clz<u64>(masked));
  return significant / SLOT_BITS;
}

/** The slot of `when` within `level`. */
export function slotFor(when: u64, level: u32): u32 {
  return <u32>((when >> (<u64>level * SLOT_BITS)) & SLOT_MASK);
}

/**
 * Distance, in slots (1..64), from the current slot `nowSlot` to the next occupied one, or 0
 * when `occupied` is empty. The current slot itself counts as 64 slots away: below the top
 * level it is always empty (its deadlines went to lower levels), and at the top level it
 * holds only deadlines clamped to the horizon, which are due one rotation later. Starting
 * the search at the current slot instead would pick those first and skip earlier slots.
 */
export function nextOccupiedOffset(occupied: u64, nowSlot: u32): u32 {
  if (occupied == 0) return 0;
  const rotated = rotr<u64>(occupied, <u64>((nowSlot + 1) & <u32>SLOT_MASK));
  return <u32>ctz<u64>(rotated) + 1;
}

/** The first tick of the slot `offset` slots after the current one at `level`. */
export function slotDeadline(elapsed: u64, level: u32, offset: u32): u64 {
  const shift = <u64>level * SLOT_BITS;
  return ((elapsed >> shift) << shift) + (<u64>offset << shift);
}

/**
 * Rounds a deadline in ms up to a whole tick, saturating at the top of a u64 (never wraps).
 * The conversion is wasm's saturating one (i64.trunc_sat_f64_u): NaN and negatives give 0,
 * anything from 2^64 up gives u64.MAX_VALUE.
 */
export function ticksCeil(ms: f64): u64 {
  return <u64>Math.ceil(ms);
}

export const TOP_LEVEL: u32 = LEVELS - 1;
