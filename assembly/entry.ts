// The entry slab: the only module that loads or stores entry memory.
//
// Ground rules
// - An entry is 16 bytes at SLAB + index * 16; indices are u32 and NIL marks "none".
// - Every access goes through the accessors below; callers never compute an address.
// - `index < capacity` is the caller's promise (ids from JS are checked in index.ts
//   before they reach here); the accessors do not re-check it on the hot path.
//
//  byte 0                         5              8              12                16
//       ┌─────────────────────────┬──────────────┬──────────────┬────────────────┐
//  A:u64│ tick (43 bits)          │ seq lo (21)  │              │                │
//       └─────────────────────────┴──────────────┤ next: u32    │ B: u32         │
//                                                │ (list link)  │ gen:24 st:3    │
//                                                │              │ unref:1 seqhi:4│
//                                                └──────────────┴────────────────┘
// While an entry is QUEUED or REFRESHING, word A instead holds an f64 "encoded delay":
// a relative delay d >= 0 is stored as d, an absolute instant x >= 0 as -(x + 1).
// The flush turns it into tick + seq with one clock reading for the whole batch.

import {
  ENTRY_SHIFT, GEN_BITS, GEN_MASK, MAX_ENTRIES, NIL, SEQ_LO_BITS, ST_DEAD, ST_FREE, TICK_BITS, TICK_MASK,
} from './constants';

/** Byte offset of entry 0; set once by init. */
let slab: usize = 0;
/** Entries that memory currently holds. */
let cap: u32 = 0;
/** Head of the free list (linked through `next`). */
let freeHead: u32 = NIL;
/** Per-instance salt so that ids of two drivers differ. */
let genSeed: u32 = 0;

const STATE_SHIFT: u32 = GEN_BITS; // 24
const UNREF_BIT: u32 = 1 << 27;
const SEQ_HI_SHIFT: u32 = 28;

// @ts-ignore: decorator
@inline function addr(i: u32): usize {
  return slab + (<usize>i << ENTRY_SHIFT);
}

// @ts-ignore: decorator
@inline export function tickOf(i: u32): u64 { return load<u64>(addr(i)) & TICK_MASK; }
// @ts-ignore: decorator
@inline export function nextOf(i: u32): u32 { return load<u32>(addr(i), 8); }
// @ts-ignore: decorator
@inline export function setNext(i: u32, n: u32): void { store<u32>(addr(i), n, 8); }
// @ts-ignore: decorator
@inline function wordB(i: u32): u32 { return load<u32>(addr(i), 12); }
export function genOf(i: u32): u32 { return wordB(i) & GEN_MASK; }
// @ts-ignore: decorator
@inline export function stateOf(i: u32): u32 { return (wordB(i) >> STATE_SHIFT) & 7; }
export function isUnref(i: u32): bool { return (wordB(i) & UNREF_BIT) != 0; }

// @ts-ignore: decorator
@inline export function seqOf(i: u32): u32 {
  return <u32>(load<u64>(addr(i)) >> TICK_BITS) | ((wordB(i) >> SEQ_HI_SHIFT) << SEQ_LO_BITS);
}

export function setState(i: u32, st: u32): void {
  store<u32>(addr(i), (wordB(i) & ~(<u32>7 << STATE_SHIFT)) | (st << STATE_SHIFT), 12);
}

export function setUnrefBit(i: u32, on: bool): void {
  const b = wordB(i);
  store<u32>(addr(i), on ? b | UNREF_BIT : b & ~UNREF_BIT, 12);
}

/** Fixes the entry's tick and its order among entries of the same tick. */
export function setTickSeq(i: u32, tick: u64, seq: u32): void {
  store<u64>(addr(i), (tick & TICK_MASK) | (<u64>seq << TICK_BITS)); // seq's high bits fall off the top
  const b = wordB(i) & 0x0fff_ffff;
  store<u32>(addr(i), b | ((seq >> SEQ_LO_BITS) << SEQ_HI_SHIFT), 12);
}

export function setSeq(i: u32, seq: u32): void { setTickSeq(i, tickOf(i), seq); }

/** The encoded delay of a QUEUED or REFRESHING entry. */
export function encodedDelay(i: u32): f64 { return load<f64>(addr(i)); }
export function setEncodedDelay(i: u32, enc: f64): void { store<f64>(addr(i), enc); }

export function capacity(): u32 { return cap; }
export function freeEmpty(): bool { return freeHead == NIL; }
export function slabBase(): usize { return slab; }

/** Resets the slab to empty at `base` (the first byte after static data). */
export function slabInit(base: usize, seed: u32): void {
  slab = (base + 15) & ~<usize>15;
  cap = 0;
  freeHead = NIL;
  genSeed = seed;
}

/** Grows the slab by about 1/8 (at least 1024 entries). Returns false when memory is exhausted. */
export function grow(): bool {
  if (cap >= MAX_ENTRIES) return false;
  let more = cap >> 3;
  if (more < 1024) more = 1024;
  let newCap = cap + more;
  if (newCap > MAX_ENTRIES) newCap = MAX_ENTRIES;
  const end = slab + (<usize>newCap << ENTRY_SHIFT);
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  // New entries join the free list lowest index first, so allocation walks memory forward.
  for (let i = newCap; i > cap; ) {
    i--;
    // A salted starting generation: ids of different drivers (and of a slot's first use) differ.
    const g = (i * 0x9e37_79b1 ^ genSeed) >> 8 & GEN_MASK | 1; // neighbours' ids differ in many bits
    store<u32>(addr(i), freeHead, 8);
    store<u32>(addr(i), g | (ST_FREE << STATE_SHIFT), 12);
    freeHead = i;
  }
  cap = newCap;
  return true;
}

/** Takes an entry off the free list (growing the slab if needed); NIL if memory is exhausted. */
export function alloc(st: u32, unref: bool, enc: f64): u32 {
  if (freeHead == NIL && !grow()) return NIL;
  const i = freeHead;
  freeHead = nextOf(i);
  store<f64>(addr(i), enc);
  setNext(i, NIL);
  store<u32>(addr(i), genOf(i) | (st << STATE_SHIFT) | (unref ? UNREF_BIT : 0), 12);
  return i;
}

/** Returns an entry to the free list; its generation moves on, so every old id goes stale. */
export function release(i: u32): void {
  let g = (genOf(i) + 1) & GEN_MASK;
  if (g == 0) g = 1;
  store<u32>(addr(i), g | (ST_FREE << STATE_SHIFT), 12);
  setNext(i, freeHead);
  freeHead = i;
}

/**
 * Releases every DEAD entry and rebuilds the free list in index order (lowest first out).
 * Returns the count released. Only `sweep` calls this, with every list already emptied.
 */
export function rebuildFreeList(): u32 {
  let released: u32 = 0;
  freeHead = NIL;
  for (let i = cap; i > 0; ) {
    i--;
    const st = stateOf(i);
    if (st == ST_DEAD) { release(i); released++; }
    else if (st == ST_FREE) { setNext(i, freeHead); freeHead = i; }
  }
  return released;
}

/** Count of entries on the free list (for the invariant check). */
export function freeCount(): u32 {
  let n: u32 = 0;
  for (let i = freeHead; i != NIL; i = nextOf(i)) n++;
  return n;
}
