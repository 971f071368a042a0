// The hierarchical timer wheel.
//
//   level | slot spans      | level spans (64 slots)
//   ------+-----------------+-----------------------
//     0   |        1 ms     |        64 ms
//     1   |       64 ms     |      ~4.1 s
//     2   |     ~4.1 s      |      ~4.4 min
//     3   |    ~4.4 min     |      ~4.7 h
//     4   |    ~4.7 h       |     ~12.4 days
//     5   |   ~12.4 days    |      ~2.2 years  (= HORIZON + 1 ticks)
//
// A deadline lives at the lowest level whose current rotation contains it (levelFor);
// each level keeps a u64 `occupied` bitfield, so the next slot to process is found with
// one rotate + ctz. When the clock reaches the first tick of an occupied slot above level
// 0, the slot is taken and its entries re-inserted lower ("cascading"); at level 0 a slot
// is exactly one tick, and its entries are due.
//
// Four things differ from a textbook wheel, all to keep work and cache misses per operation low:
// - Registrations are not inserted when made. They wait as records in the IN window (written
//   by JS, with the façade's cancels and refreshes in between) and are inserted by
//   `flush(now)` with one clock reading for the batch (Tokio does the same).
// - A batch is inserted as one list, in the slot of its earliest deadline; its other entries
//   move on to their own slots only when that slot comes up. Most timers of a busy program
//   (idle timeouts, retries) are cancelled or refreshed long before that, and are then never
//   placed one by one at all.
// - Cancelling does not unlink: it marks the entry DEAD, and the dead entry is reaped
//   when its slot is processed (or by `sweep` once dead entries outnumber the live ones
//   and an eighth of the slab).
//   So a cancel touches one entry and never its neighbours; lists are singly linked.
// - Re-arming a timer to a later tick does not move it either: the new tick is written
//   into the entry, and when its old slot is processed it is re-inserted further on.
//   Because such an entry can reach its final slot after entries armed later for the
//   same tick, every entry carries a sequence number, and a tick's batch is sorted by it
//   when (rarely) list order and arming order disagree.

import {
  DEFERRED, DUE, GEN_MASK, HORIZON, LEVELS, LIST_COUNT, MAX_ENTRIES, NIL, SLOTS, SLOT_BITS, SLOT_ID_BITS,
  ST_DEAD, ST_EMITTED, ST_EMITTED_DEAD, ST_FREE, ST_LIVE, ST_QUEUED, ST_QUEUED_DEAD,
  ST_REFRESHING, WHEEL_LISTS, WINDOW,
} from './constants';
import {
  C_DEAD, C_KILLED, C_LIVE, C_REFS, C_SEQ, C_SWEEPS, capacity, ctrl, delayOf, encodedDelay, setEncodedDelay, freeCount, freeEmpty, genOf, grow, nextOf,
  rebuildFreeList, release, seqOf, setCtrl, setLive, setNext, setState, setWordB, stateOf, tickOf, wordB, STATE_SHIFT, UNREF_BIT,
} from './entry';
import { TOP_LEVEL, levelFor, nextOccupiedOffset, slotDeadline, slotFor, ticksCeil } from './level';

// ---- static memory -------------------------------------------------------------------

/** List heads, then list tails: one of each per wheel slot plus DEFERRED and DUE. */
const HEADS: usize = memory.data(<i32>(LIST_COUNT * 8), 16);
const TAILS: usize = HEADS + LIST_COUNT * 4;
/** One occupied bitfield per level. */
const OCCUPIED: usize = memory.data(<i32>(LEVELS * 8), 16);
/** Where flush's touching loop leaves its sum (so that the loads are not optimised away). */
let touched: u32 = 0;
/** Dead entries tolerated beyond the live count before `flush` sweeps them. */
const SWEEP_SLACK: i32 = 4096;

/** The two windows, back to back: IN (f64 records JS writes for `flush`), then OUT. */
export const IN_WINDOW: usize = memory.data(<i32>(WINDOW * 12), 16);
/** `process` writes the slot indices (u32) of due entries here. */
export const OUT_WINDOW: usize = IN_WINDOW + WINDOW * 8;

// ---- state -----------------------------------------------------------------------------

/** Every tick <= elapsed has been processed. */
let elapsed: u64 = 0;
/** The tick of the pass in progress (>= elapsed); arming at or before it waits for the next pass. */
let passTick: u64 = 0;
/** The first sequence number of the pass in progress: entries (re-)armed during it have seq >= it. */
let passSeq: u32 = 0;
/** Entries handed out by the last `process` call, freed by the next one unless re-armed. */
let lastOut: u32 = 0;

// The counters JS also updates (arming, cancelling) live in the control block (entry.ts).
// @ts-ignore: decorator
@inline function live(): i32 { return ctrl(C_LIVE); }
// @ts-ignore: decorator
@inline function dead(): i32 { return ctrl(C_DEAD); }
// @ts-ignore: decorator
@inline function addDead(n: i32): void { setCtrl(C_DEAD, ctrl(C_DEAD) + n); }

// ---- lists -----------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function head(k: u32): u32 { return load<u32>(HEADS + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function setHead(k: u32, i: u32): void { store<u32>(HEADS + (<usize>k << 2), i); }
// @ts-ignore: decorator
@inline function tail(k: u32): u32 { return load<u32>(TAILS + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline function setTail(k: u32, i: u32): void { store<u32>(TAILS + (<usize>k << 2), i); }

/** Appends the chain of entries `first` .. `last` (already linked in order) to list k. */
function appendChain(k: u32, first: u32, last: u32): void {
  setNext(last, NIL);
  const t = tail(k);
  if (t == NIL) setHead(k, first);
  else setNext(t, first);
  setTail(k, last);
}

function append(k: u32, i: u32): void { appendChain(k, i, i); }

/** Detaches a whole list and returns its first entry. */
function take(k: u32): u32 {
  const h = head(k);
  setHead(k, NIL);
  setTail(k, NIL);
  return h;
}

function occupied(level: u32): u64 { return load<u64>(OCCUPIED + (<usize>level << 3)); }
function setOccupied(level: u32, v: u64): void { store<u64>(OCCUPIED + (<usize>level << 3), v); }

// ---- setup -----------------------------------------------------------------------------

/** Empties every list and clears every occupied bit (NIL is all ones). */
function clearLists(): void {
  memory.fill(HEADS, 0xff, LIST_COUNT * 8);
  memory.fill(OCCUPIED, 0, LEVELS * 8);
}

/**
 * Empties every list. The clock state (elapsed, passTick, lastOut) is left as it is: init
 * runs on a fresh instance, where it is zero, or at the driver's shutdown, after which only
 * queries run (they find nothing pending whatever the clock state).
 */
export function wheelReset(): void {
  clearLists();
}

// ---- insertion -------------------------------------------------------------------------

/** Puts a chain of live entries, none due before `tick` (> elapsed), into the wheel slot of `tick`. */
function insertChain(first: u32, last: u32, tick: u64): void {
  const level = levelFor(elapsed, tick);
  const slot = slotFor(tick, level);
  appendChain(level * SLOTS + slot, first, last);
  setOccupied(level, occupied(level) | (<u64>1 << slot));
}

function insertWheel(i: u32, tick: u64): void { insertChain(i, i, tick); }

/**
 * Places a chain of live entries by the earliest tick among them: the wheel, or DEFERRED
 * when that tick was already reached. Entries due later than `tick` move on when the slot
 * is processed (collectDue re-inserts them where their own tick says).
 */
function placeChain(first: u32, last: u32, tick: u64): void {
  if (tick <= passTick) appendChain(DEFERRED, first, last);
  else insertChain(first, last, tick);
}

/** Turns an encoded delay into a tick, against `now`, clamped to now + HORIZON. */
export function tickFor(enc: f64, now: f64): u64 {
  let at: f64;
  if (enc >= 0) {
    at = now + (enc < <f64>HORIZON ? enc : <f64>HORIZON);
  } else {
    at = -enc - 1;
    const limit = now + <f64>HORIZON;
    if (at > limit) at = limit;
  }
  return ticksCeil(at);
}

// ---- the operations JS calls -------------------------------------------------------------

/**
 * Makes room on the free list for JS to arm from (src/wasm.ts pops it): reclaims dead
 * entries first when they are many, else grows the slab. False when memory is exhausted.
 */
export function refill(): bool {
  if (dead() > <i32>(capacity() >> 3)) sweep();
  return !freeEmpty() || grow();
}

/**
 * Works through `count` records of IN_WINDOW in order, against one clock reading `now`.
 * JS writes three kinds (all f64), in the order the operations were made, and never splits
 * a refresh's two records across two calls:
 *   slot (0 <= r < 2^26)   a registration armed by JS (QUEUED) or re-armed in place
 *                          (REFRESHING): fix its deadline
 *   -id  (r < 0)           clearTimeout(id), made outside a callback
 *   id, enc (r >= 2^26)    refreshTimeout(id) with its encoded delay, likewise; an enc of
 *                          NaN stands for the delay JS stored in D when it armed the timer
 * Ids are checked here (generation, range, integer), so a stale or forged one changes
 * nothing. Each deadline fixed gets the next sequence number. `flags`: 1, more windows of
 * the same burst follow (the sweep waits for the last); 2, the window holds no cancel or
 * refresh record (JS knows: nothing to touch first).
 */
export function flush(now: f64, count: u32, flags: u32): void {
  let seq = <u32>ctrl(C_SEQ);
  const cap = capacity();
  // Touch the entries that ids name first, in a loop of independent loads: their cache
  // misses overlap here instead of stalling the work below one at a time (word B, which
  // every id check reads). Slots were armed just now, in order: they need no touching, and a
  // window of them alone skips the loop (2 ns per record).
  let touch: u32 = 0;
  for (let k: u32 = (flags & 2) * count; k < count; k++) { // starts past the end for slots only
    const r = load<f64>(IN_WINDOW + (<usize>k << 3));
    const i = <u32><u64>abs(r) & (MAX_ENTRIES - 1);
    if (i < cap) {
      touch += stateOf(i);
      if (r >= <f64>MAX_ENTRIES) touch += <u32>encodedDelay(i) + delayOf(i); // a refresh reads D, writes A
    }
  }
  touched = touch;
  let killed = 0;
  // The registrations fixed here, chained in order, and the earliest of their ticks.
  let first = NIL, last = NIL;
  let earliest = u64.MAX_VALUE;
  for (let j: u32 = 0; j < count; j++) {
    const r = load<f64>(IN_WINDOW + (<usize>j << 3));
    let i = <u32>r;
    if (r < 0 || r >= <f64>MAX_ENTRIES) {
      // A cancel or refresh record. It is never older than the arming record of the timer
      // it names, so if that entry is still QUEUED here, the id was forged and names a
      // timer armed after the record was made: not this record's business.
      i = slotOfId(abs(r));
      const named = i != NIL && stateOf(i) != ST_QUEUED;
      if (r < 0) {
        if (named) killed += <i32>kill(i);
        continue;
      }
      j++;
      if (!named) continue;
      // Re-armed here as `rearm` would have done it, then fixed below like any queued slot.
      const enc = load<f64>(IN_WINDOW + (<usize>j << 3));
      i = <u32>rearmAt(i, enc == enc ? enc : <f64>delayOf(i));
    }
    if (i >= cap) continue; // also -1 from rearm
    const st = stateOf(i);
    if (st == ST_QUEUED_DEAD) {
      release(i);
    } else if (st == ST_QUEUED || st == ST_REFRESHING || st == ST_LIVE) {
      // LIVE: queued twice in one batch (armed, then refreshed): only its place in line moves.
      const tick = st == ST_LIVE ? tickOf(i) : tickFor(encodedDelay(i), now);
      setLive(i, tick, seq++);
      // A refreshed entry stays linked where it was; it moves on when that list is processed.
      if (st == ST_QUEUED) {
        if (first == NIL) first = i;
        else setNext(last, i);
        last = i;
        if (tick < earliest) earliest = tick;
      }
    }
  }
  // The batch waits as one list in the slot of its earliest deadline: placing each entry
  // costs a list append per timer, and most timers of a busy program (idle timeouts,
  // retries) are cancelled or refreshed long before; those that are still pending when the
  // slot comes up are placed then, once.
  if (first != NIL) placeChain(first, last, earliest);
  setCtrl(C_SEQ, <i32>seq);
  setCtrl(C_KILLED, ctrl(C_KILLED) + killed);
  // Dead entries wait in their lists until their slot comes up; once they outnumber the
  // live ones and an eighth of the slab, reclaim them all at once. A sweep reads the whole
  // slab, so it must wait for cancels in proportion to the slab (amortised O(1) per cancel
  // even when a past burst left the slab far larger than what is live).
  const d = dead();
  if (!(flags & 1) && d > live() + SWEEP_SLACK && d > <i32>(cap >> 3)) sweep();
}

/**
 * The slot of `id` if it names a current entry (an integer gen * 2^26 + slot), else NIL.
 * No range check is needed: anything else fails the integer test (NaN, fractions, out of
 * u64) or the generation test (generations are 1 to 2^24 - 1, so below 2^26 or from 2^50 on).
 */
function slotOfId(id: f64): u32 {
  const v = <u64>id;
  const i = <u32>v & (MAX_ENTRIES - 1);
  return <f64>v == id && i < capacity() && <u64>(wordB(i) & GEN_MASK) == v >> SLOT_ID_BITS ? i : NIL;
}

/**
 * Cancels entry `i` if it is pending (queued, in a list, or handed out and not run yet).
 * Returns whether it was.
 */
function kill(i: u32): bool {
  const b = wordB(i);
  const st = (b >> STATE_SHIFT) & 7;
  // QUEUED -> QUEUED_DEAD (the flush of its slot frees it), EMITTED -> EMITTED_DEAD (handed
  // out, so no longer counted live), LIVE or REFRESHING -> DEAD (reaped with its list).
  let to = st + 1;
  if (st == ST_LIVE || st == ST_REFRESHING) { to = ST_DEAD; addDead(1); }
  else if (st != ST_QUEUED && st != ST_EMITTED) return false;
  setWordB(i, b & ~(<u32>7 << STATE_SHIFT) | to << STATE_SHIFT);
  if (st != ST_EMITTED) addLive(b, -1);
  return true;
}

/** Counts an entry whose word B is `b` as (no longer) pending: `d` is 1 or -1. */
function addLive(b: u32, d: i32): void {
  setCtrl(C_LIVE, live() + d);
  if (!(b & UNREF_BIT)) setCtrl(C_REFS, ctrl(C_REFS) + d);
}

/** Cancels by id (the synchronous path). Returns the slot if the timer was pending, else -1. */
export function cancel(id: f64): i32 {
  const i = slotOfId(id);
  return i != NIL && kill(i) ? <i32>i : -1;
}

/**
 * Re-arms by id with a new encoded delay, fixed by the flush of its slot: returns the slot
 * (for JS to queue), or -1 when `id` is not pending. An entry still in a list must not get
 * an earlier deadline (it stays where it lies and moves on lazily); the driver re-keys instead.
 */
export function rearm(id: f64, enc: f64): i32 {
  const i = slotOfId(id);
  return i == NIL ? -1 : rearmAt(i, enc);
}

/** `rearm` for the entry at slot `i`, its id already checked. */
function rearmAt(i: u32, enc: f64): i32 {
  const st = stateOf(i);
  if (st == ST_LIVE || st == ST_REFRESHING) {
    setState(i, ST_REFRESHING);
  } else if (st == ST_EMITTED) {
    // Handed out and re-armed from its own callback: pending again.
    setState(i, ST_QUEUED);
    addLive(wordB(i), 1);
  } else if (st != ST_QUEUED) {
    return -1;
  }
  setEncodedDelay(i, enc);
  return <i32>i;
}

/** Marks a pending timer as (not) keeping the host alive. Returns whether `id` was pending. */
export function setRef(id: f64, keep: bool): bool {
  const i = slotOfId(id);
  if (i == NIL) return false;
  const b = wordB(i);
  const st = (b >> STATE_SHIFT) & 7;
  // Pending (queued, or in a list and not dead), or handed out and not yet done with: its
  // callback (or one before it in the batch) may (un)ref it before it re-arms (an interval,
  // a refresh), and the re-arm counts it by its bit.
  if (st != ST_QUEUED && st != ST_LIVE && st != ST_REFRESHING && st != ST_EMITTED) return false;
  if (((b & UNREF_BIT) != 0) == keep) {
    setWordB(i, b ^ UNREF_BIT);
    // Still pending: only the ref count moves. Handed out: not counted until it re-arms.
    if (st != ST_EMITTED) setCtrl(C_REFS, ctrl(C_REFS) + (keep ? 1 : -1));
  }
  return true;
}

// ---- expiry ----------------------------------------------------------------------------

/** The lowest occupied level, or LEVELS when the wheel is empty. */
function lowestLevel(): u32 {
  for (let l: u32 = 0; l < LEVELS; l++) if (occupied(l) != 0) return l;
  return LEVELS;
}

/**
 * The tick at which the wheel next has work: `elapsed` when entries are waiting for a pass,
 * else the first tick of the next occupied slot (an underestimate above level 0, like Tokio's:
 * waking there cascades the slot). -1 when nothing is pending.
 */
export function nextExpiration(): f64 {
  if (head(DUE) != NIL || head(DEFERRED) != NIL) return <f64>elapsed;
  const l = lowestLevel();
  return l == LEVELS ? -1 : <f64>nextSlot(l);
}

/** The slot `nextSlot` found last. */
let foundSlot: u32 = 0;

/** The first tick of the next occupied slot of level `l` (not empty); leaves the slot in `foundSlot`. */
function nextSlot(l: u32): u64 {
  const nowSlot = slotFor(elapsed, l);
  const offset = nextOccupiedOffset(occupied(l), nowSlot);
  foundSlot = (nowSlot + offset) & (SLOTS - 1);
  return slotDeadline(elapsed, l, offset);
}

/** Moves a list of entries whose ticks have been reached onto DUE, then sorts DUE if needed. */
function collectDue(h: u32): void {
  let sorted = true;
  let lastTick: u64 = 0;
  let lastSeq: u32 = 0;
  while (h != NIL) {
    const nx = nextOf(h);
    const st = stateOf(h);
    if (st == ST_DEAD) {
      addDead(-1);
      release(h);
    } else if (st == ST_REFRESHING) {
      // Re-armed during this pass; its deadline is fixed by the next flush.
      append(DEFERRED, h);
    } else {
      const t = tickOf(h);
      if (t > elapsed) {
        insertWheel(h, t); // a later entry of a batch, or re-armed lazily: goes where its tick says
      } else {
        const s = seqOf(h);
        if (head(DUE) != NIL && (t < lastTick || (t == lastTick && s < lastSeq))) sorted = false;
        lastTick = t; lastSeq = s;
        append(DUE, h);
      }
    }
    h = nx;
  }
  if (!sorted) sortDue();
}

/** Processes the next occupied slot if its deadline is <= nowTick. */
function advanceOneSlot(nowTick: u64): bool {
  const l = lowestLevel();
  if (l == LEVELS) return false;
  const deadline = nextSlot(l);
  if (deadline > nowTick) return false;
  const slot = foundSlot;
  elapsed = deadline;
  if (passTick < elapsed) passTick = elapsed;
  setOccupied(l, occupied(l) & ~(<u64>1 << slot));
  collectDue(take(l * SLOTS + slot));
  return true;
}

/** Frees the entries of the last output window that were neither re-armed nor kept. */
function releaseLastOut(): void {
  for (let j: u32 = 0; j < lastOut; j++) {
    const i = load<u32>(OUT_WINDOW + (<usize>j << 2));
    if (stateOf(i) >= ST_EMITTED) release(i); // not re-armed by its callback
  }
  lastOut = 0;
}

/**
 * Writes up to WINDOW due entries to OUT_WINDOW, in deadline order (ties by arming order),
 * processing ticks up to `nowMs` (a whole tick). `begin` starts a pass: only then do DEFERRED entries
 * (armed for ticks already reached) become due, so re-arming for "now" from a callback
 * fires in the next pass, never this one. Returns the count; 0 ends the pass.
 */
export function process(nowMs: f64, begin: bool): u32 {
  const nowTick = <u64>nowMs; // saturating: negative and NaN are 0
  releaseLastOut();
  if (begin) {
    if (passTick < nowTick) passTick = nowTick;
    passSeq = <u32>ctrl(C_SEQ);
    if (head(DUE) == NIL) collectDue(take(DEFERRED));
  }
  let n: u32 = 0;
  while (n < WINDOW) {
    let i = head(DUE);
    if (i == NIL) {
      if (!advanceOneSlot(nowTick)) break;
      continue;
    }
    const nx = nextOf(i);
    setHead(DUE, nx);
    if (nx == NIL) setTail(DUE, NIL);
    const st = stateOf(i);
    if (st == ST_DEAD) { addDead(-1); release(i); continue; }
    // Re-armed during this pass while it waited here (flushed or not): never this pass.
    if (st == ST_REFRESHING || seqOf(i) >= passSeq) { append(DEFERRED, i); continue; }
    setState(i, ST_EMITTED);
    addLive(wordB(i), -1);
    store<u32>(OUT_WINDOW + (<usize>n << 2), i);
    n++;
  }
  if (n < WINDOW && head(DUE) == NIL && elapsed < nowTick) elapsed = nowTick;
  lastOut = n;
  return n;
}

/**
 * The exact smallest tick among pending entries with a fixed deadline, or u64.MAX_VALUE.
 * Walks slots in firing order and stops as soon as a slot starts after the best tick seen.
 */
export function nextDeadline(): u64 {
  let best = u64.MAX_VALUE;
  best = minLive(head(DUE), best);
  best = minLive(head(DEFERRED), best);
  for (let l: u32 = 0; l < LEVELS; l++) {
    const nowSlot = slotFor(elapsed, l);
    // Bit j of `rest` is the slot j + 1 places after the current one.
    let rest = rotr<u64>(occupied(l), <u64>((nowSlot + 1) & (SLOTS - 1)));
    while (rest != 0) {
      const offset = <u32>ctz<u64>(rest) + 1;
      if (slotDeadline(elapsed, l, offset) >= best) return best;
      best = minLive(head(l * SLOTS + ((nowSlot + offset) & (SLOTS - 1))), best);
      rest &= rest - 1;
    }
  }
  return best;
}

function minLive(h: u32, best: u64): u64 {
  for (let i = h; i != NIL; i = nextOf(i)) {
    if (stateOf(i) == ST_LIVE) {
      const t = tickOf(i);
      if (t < best) best = t;
    }
  }
  return best;
}

// ---- maintenance -------------------------------------------------------------------------

/**
 * Frees every dead entry by rebuilding the lists from two linear scans of the slab (no list
 * walking, so no random access): the free list is rebuilt from the top down, so that the next
 * allocations walk memory forward, then every live entry is placed again by its tick (which
 * also moves lazily re-armed entries to their proper slot). Ties within a slot are ordered by
 * sequence number when the slot falls due, so list order does not matter. Returns how many
 * entries were freed; does nothing (returns 0) in the middle of a pass.
 */
export function sweep(): u32 {
  if (head(DUE) != NIL) return 0;
  clearLists();
  const freed = rebuildFreeList();
  const c = capacity();
  for (let i: u32 = 0; i < c; i++) {
    const st = stateOf(i);
    if (st == ST_LIVE) placeChain(i, i, tickOf(i));
    // Re-armed but not flushed yet (a sweep can run between flush chunks or from `arm`):
    // its tick is unknown until the flush, so it waits in DEFERRED, which re-places it.
    else if (st == ST_REFRESHING) append(DEFERRED, i);
  }
  setCtrl(C_DEAD, 0);
  setCtrl(C_SWEEPS, ctrl(C_SWEEPS) + 1);
  return freed;
}

/** Whether entry `a` fires before entry `b`: by tick, then by arming order. */
function before(a: u32, b: u32): bool {
  const ta = tickOf(a), tb = tickOf(b);
  return ta < tb || (ta == tb && seqOf(a) < seqOf(b));
}

/** Sorts DUE by (tick, seq): a stable top-down merge sort of the linked list, O(n log n). */
function sortDue(): void {
  let n: u32 = 0;
  for (let i = head(DUE); i != NIL; i = nextOf(i)) n++;
  const h = mergeSort(take(DUE), n);
  let t = h;
  while (nextOf(t) != NIL) t = nextOf(t);
  setHead(DUE, h);
  setTail(DUE, t);
}

/** The entry after the last one `mergeSort` consumed. */
let sortRest: u32 = NIL;

/** Sorts the `n` entries from `h` on; leaves the entry after them in `sortRest`. */
function mergeSort(h: u32, n: u32): u32 {
  if (n == 1) {
    sortRest = nextOf(h);
    setNext(h, NIL);
    return h;
  }
  let a = mergeSort(h, n >> 1);
  let b = mergeSort(sortRest, n - (n >> 1));
  const rest = sortRest;
  let first: u32 = NIL, last: u32 = NIL;
  while (a != NIL || b != NIL) {
    let pick = a;
    if (a == NIL || (b != NIL && before(b, a))) pick = b;
    if (pick == a) a = nextOf(a); else b = nextOf(b);
    if (last == NIL) first = pick; else setNext(last, pick);
    last = pick;
  }
  sortRest = rest;
  return first;
}

// ---- queries -----------------------------------------------------------------------------

export function getElapsed(): u64 { return elapsed; }
export function deadCount(): i32 { return dead(); }
export function levelSlots(level: u32): i32 { return <i32>popcnt<u64>(occupied(level)); }

/**
 * Checks every invariant of the structure; returns 0 when all hold, else a code naming
 * the first that failed. For tests and fuzzing; walks everything.
 */
export function check(): i32 {
  let linked: i32 = 0;
  let deadSeen: i32 = 0;
  let liveSeen: i32 = 0;
  for (let k: u32 = 0; k < LIST_COUNT; k++) {
    const h = head(k);
    if (k < WHEEL_LISTS) {
      const l = k / SLOTS, s = k % SLOTS;
      const bit = (occupied(l) >> s) & 1;
      if ((h != NIL) != (bit == 1)) return 1; // bitfield and list disagree
    }
    let last: u32 = NIL;
    let steps: u32 = 0;
    for (let i = h; i != NIL; i = nextOf(i)) {
      if (++steps > capacity()) return 2; // a cycle
      const st = stateOf(i);
      linked++;
      if (st == ST_DEAD) { deadSeen++; }
      else if (st == ST_LIVE) {
        liveSeen++;
        const t = tickOf(i);
        if (k < WHEEL_LISTS) {
          const l = k / SLOTS, s = k % SLOTS;
          // A live entry sits in the slot its tick says, or (moved on lazily) in an earlier one.
          if (t <= elapsed) return 3;
          // Never early: the slot is processed no later than the entry's tick.
          if (t < slotDeadline(elapsed, l, nextOffsetTo(l, s))) return 4;
        }
      } else if (st == ST_REFRESHING) {
        liveSeen++;
      } else {
        return 5; // a free, queued or emitted entry in a list
      }
      last = i;
    }
    if (tail(k) != last) return 6;
  }
  if (deadSeen != dead()) return 7;
  // Queued entries are not in lists: live = linked live + queued.
  let queued: i32 = 0;
  let emitted: i32 = 0;
  for (let i: u32 = 0; i < capacity(); i++) {
    const st = stateOf(i);
    if (st == ST_QUEUED) queued++;
    else if (st == ST_EMITTED || st == ST_EMITTED_DEAD) emitted++;
  }
  if (liveSeen + queued != live()) return 8;
  const free = <i32>freeCount();
  let queuedDead: i32 = 0;
  let retired: i32 = 0;
  for (let i: u32 = 0; i < capacity(); i++) {
    const st = stateOf(i);
    if (st == ST_QUEUED_DEAD) queuedDead++;
    else if (st == ST_FREE && genOf(i) == 0) retired++;
  }
  if (free + retired + linked + queued + queuedDead + emitted != <i32>capacity()) return 9;
  if (ctrl(C_REFS) < 0 || ctrl(C_REFS) > live()) return 10;
  return 0;
}

function nextOffsetTo(level: u32, slot: u32): u32 {
  const nowSlot = slotFor(elapsed, level);
  let o = (slot - nowSlot) & (SLOTS - 1);
  if (o == 0) o = SLOTS;
  return o;
}

export function genAt(i: u32): u32 { return genOf(i); }
export function stateAt(i: u32): u32 { return stateOf(i); }
export { SLOT_BITS };
