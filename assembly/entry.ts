// The entry slab: the only module that loads or stores entry memory.
//
// Ground rules
// - Entries are indices (u32; NIL marks "none"). Their fields live in four arrays,
//   structure-of-arrays, because the hot operations each need only one or two of them:
//     A: u64 at SLAB + i * 8        tick (43 bits) | seq low bits (21)
//     next: u32 at NEXTS + i * 4    list link (also the free list)
//     B: u32 at STATES + i * 4      generation (0..23) | state (24..26) | unref (27) | seq high bits (28..31)
//     D: u32 at DELAYS + i * 4      the façade's delay in whole ms (JS writes it when it arms a
//                                   setTimeout / setInterval; refresh records re-arm with it)
//   Checking an id, cancelling, (un)ref'ing and sweeping read only B: at 10^6 timers that
//   is a dense 4 MB array instead of every fifth word of a 20 MB slab, so a cancel in
//   random order misses the cache less and an in-order pass streams a fifth of the bytes.
// - The four arrays sit back to back (A, next, B, D) right after static data, each as long
//   as the capacity; growing moves the next, B and D arrays up (amortised: growth is by 1/8).
//   JS finds them from the slab base and the capacity (src/wasm.ts).
// - Every access goes through the accessors below; callers never compute an address.
// - `index < capacity` is the caller's promise (ids are checked by slotOfId in wheel.ts
//   before they reach here); the accessors do not re-check it on the hot path.
//
// While an entry is QUEUED or REFRESHING, word A instead holds an f64 "encoded delay":
// a relative delay d >= 0 is stored as d, an absolute instant x >= 0 as -(x + 1).
// The flush turns it into tick + seq with one clock reading for the whole batch.
//
// JS arms entries itself (a few stores, cheaper than a call across the boundary: src/wasm.ts,
// which must follow this layout and the control block below). The core does everything
// else: checks ids, cancels, re-arms, walks lists and many entries (flush, process, sweep),
// and grows.

import {
  ENTRY_BYTES, GEN_BITS, GEN_MASK, MAX_ENTRIES, NIL, SEQ_LO_BITS, ST_DEAD, ST_FREE, ST_LIVE, TICK_BITS, TICK_MASK,
} from './constants';

/** Byte offset of array A (entry 0's word A); set by init. */
let slab: usize = 0;
/** Byte offsets of the next, B and D arrays (they move when the slab grows). */
let nexts: usize = 0;
let states: usize = 0;
let delays: usize = 0;

/**
 * The control block: counters both sides read and write, at fixed byte offsets that
 * src/wasm.ts mirrors. Kept in memory rather than in globals so that JS reaches them
 * without a call.
 */
export const CTRL: usize = memory.data(32, 16);
/** Head of the free list (linked through `next`). */
export const C_FREE: usize = 0;
/** Entries that memory currently holds. */
export const C_CAP: usize = 4;
/** Pending timers: queued, or in a list and not dead. */
export const C_LIVE: usize = 8;
/** Pending timers that keep the host alive. */
export const C_REFS: usize = 12;
/** Dead entries still linked in a list. */
export const C_DEAD: usize = 16;
/** The next sequence number. */
export const C_SEQ: usize = 20;
/** Sweeps so far (JS then drops the callbacks of the entries a sweep freed). */
export const C_SWEEPS: usize = 24;
/** Pending timers cancelled by the flush's cancel records since JS last read (and zeroed) it. */
export const C_KILLED: usize = 28;

// @ts-ignore: decorator
@inline export function ctrl(at: usize): i32 { return load<i32>(CTRL + at); }
// @ts-ignore: decorator
@inline export function setCtrl(at: usize, v: i32): void { store<i32>(CTRL + at, v); }
// @ts-ignore: decorator
@inline function freeHead(): u32 { return <u32>ctrl(C_FREE); }
// @ts-ignore: decorator
@inline function setFreeHead(i: u32): void { setCtrl(C_FREE, <i32>i); }
/** Per-instance salt so that ids of two drivers differ. */
let genSeed: u32 = 0;

export const STATE_SHIFT: u32 = GEN_BITS; // 24
export const UNREF_BIT: u32 = 1 << 27;
const SEQ_HI_SHIFT: u32 = 28;

// @ts-ignore: decorator
@inline function addrA(i: u32): usize { return slab + (<usize>i << 3); }
// @ts-ignore: decorator
@inline function addrNext(i: u32): usize { return nexts + (<usize>i << 2); }
// @ts-ignore: decorator
@inline function addrB(i: u32): usize { return states + (<usize>i << 2); }

// @ts-ignore: decorator
@inline export function tickOf(i: u32): u64 { return load<u64>(addrA(i)) & TICK_MASK; }
// @ts-ignore: decorator
@inline export function nextOf(i: u32): u32 { return load<u32>(addrNext(i)); }
// @ts-ignore: decorator
@inline export function setNext(i: u32, n: u32): void { store<u32>(addrNext(i), n); }
// @ts-ignore: decorator
@inline export function wordB(i: u32): u32 { return load<u32>(addrB(i)); }
// @ts-ignore: decorator
@inline export function setWordB(i: u32, b: u32): void { store<u32>(addrB(i), b); }
export function genOf(i: u32): u32 { return wordB(i) & GEN_MASK; }
// @ts-ignore: decorator
@inline export function stateOf(i: u32): u32 { return (wordB(i) >> STATE_SHIFT) & 7; }
export function isUnref(i: u32): bool { return (wordB(i) & UNREF_BIT) != 0; }

export function seqOf(i: u32): u32 {
  return <u32>(load<u64>(addrA(i)) >> TICK_BITS) | ((wordB(i) >> SEQ_HI_SHIFT) << SEQ_LO_BITS);
}

export function setState(i: u32, st: u32): void {
  store<u32>(addrB(i), (wordB(i) & ~(<u32>7 << STATE_SHIFT)) | (st << STATE_SHIFT));
}


/** Fixes the entry's tick and its order among entries of the same tick, and marks it LIVE. */
export function setLive(i: u32, tick: u64, seq: u32): void {
  store<u64>(addrA(i), (tick & TICK_MASK) | (<u64>seq << TICK_BITS)); // seq's high bits fall off the top
  // Generation and unref kept; state LIVE; seq's high bits.
  const b = wordB(i) & (GEN_MASK | UNREF_BIT);
  store<u32>(addrB(i), b | ST_LIVE << STATE_SHIFT | (seq >> SEQ_LO_BITS) << SEQ_HI_SHIFT);
}


/** The façade delay (whole ms) JS wrote into D when it armed entry `i`, for refresh records. */
// @ts-ignore: decorator
@inline export function delayOf(i: u32): u32 { return load<u32>(delays + (<usize>i << 2)); }

/** The encoded delay of a QUEUED or REFRESHING entry. */
export function encodedDelay(i: u32): f64 { return load<f64>(addrA(i)); }
export function setEncodedDelay(i: u32, enc: f64): void { store<f64>(addrA(i), enc); }
export function flipUnref(i: u32): void { store<u32>(addrB(i), wordB(i) ^ UNREF_BIT); }

// @ts-ignore: decorator
@inline export function capacity(): u32 { return <u32>ctrl(C_CAP); }
export function freeEmpty(): bool { return freeHead() == NIL; }
export function slabBase(): usize { return slab; }

/** Resets the slab to empty at `base` (the first byte after static data). */
export function slabInit(base: usize, seed: u32): void {
  slab = (base + 15) & ~<usize>15;
  nexts = states = delays = slab;
  memory.fill(CTRL, 0, 32);
  setFreeHead(NIL);
  genSeed = seed;
}

/** Grows the slab by about 1/8 (at least 1024 entries). Returns false when memory is exhausted. */
export function grow(): bool {
  const cap = capacity();
  if (cap >= MAX_ENTRIES) return false;
  let more = cap >> 3;
  if (more < 1024) more = 1024;
  let newCap = cap + more;
  if (newCap > MAX_ENTRIES) newCap = MAX_ENTRIES;
  const end = slab + <usize>newCap * ENTRY_BYTES;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  // Move D, B, then next up to their new places (the highest first: each one's new place may
  // overlap the old place of the one above it).
  const newNexts = slab + (<usize>newCap << 3);
  const newStates = newNexts + (<usize>newCap << 2);
  const newDelays = newStates + (<usize>newCap << 2);
  memory.copy(newDelays, delays, <usize>cap << 2);
  memory.copy(newStates, states, <usize>cap << 2);
  memory.copy(newNexts, nexts, <usize>cap << 2);
  nexts = newNexts;
  states = newStates;
  delays = newDelays;
  // New entries join the free list lowest index first, so allocation walks memory forward.
  for (let i = newCap; i > cap; ) {
    i--;
    // A salted starting generation: ids of different drivers (and of a slot's first use) differ.
    const g = (i * 0x9e37_79b1 ^ genSeed) >> 8 & GEN_MASK | 1; // neighbours' ids differ in many bits
    setNext(i, freeHead());
    store<u32>(addrB(i), g | (ST_FREE << STATE_SHIFT));
    setFreeHead(i);
  }
  setCtrl(C_CAP, <i32>newCap);
  return true;
}

/**
 * Returns an entry to the free list; its generation moves on, so every old id goes stale.
 * An entry whose generations are used up retires instead (generation 0, FREE, on no list:
 * never handed out again), so an old id can never name a later timer, however often its
 * slot was reused. That costs 20 bytes per 2^24 - 1 reuses of one slot.
 */
export function release(i: u32): void {
  const b = freed(wordB(i));
  store<u32>(addrB(i), b);
  if (b & GEN_MASK) {
    setNext(i, freeHead());
    setFreeHead(i);
  }
}

/** Word B of a freed entry whose word B was `b`: the next generation (0: retired), state FREE. */
// @ts-ignore: decorator
@inline function freed(b: u32): u32 {
  return (b + 1) & GEN_MASK | ST_FREE << STATE_SHIFT;
}

/**
 * Releases every DEAD entry and rebuilds the free list in index order (lowest first out).
 * Returns the count released. Only `sweep` calls this, with every list already emptied.
 */
export function rebuildFreeList(): u32 {
  let released: u32 = 0;
  let head = NIL;
  for (let i = capacity(); i > 0; ) {
    i--;
    let b = wordB(i);
    const st = (b >> STATE_SHIFT) & 7;
    if (st == ST_DEAD) {
      store<u32>(addrB(i), b = freed(b)); // as `release` does, linked below
      released++;
    } else if (st != ST_FREE) {
      continue;
    }
    if (!(b & GEN_MASK)) continue; // retired
    setNext(i, head);
    head = i;
  }
  setFreeHead(head);
  return released;
}

/** Count of entries on the free list (for the invariant check). */
export function freeCount(): u32 {
  let n: u32 = 0;
  for (let i = freeHead(); i != NIL; i = nextOf(i)) n++;
  return n;
}
