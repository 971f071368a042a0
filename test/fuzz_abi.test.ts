// Fuzz of the wasm ABI itself (build/tickwheel.testing.wasm, instantiated from its bytes),
// below the driver: random call sequences of schedule / cancel / refresh / rekey / setRef /
// flush / process / sweep, and cancel and refresh records queued for the flush (as the
// façade makes them), with valid, stale, forged, foreign and out-of-range ids, garbage in
// the IN window, window-sized batches and huge ticks. After every call:
//   - check() === 0 (bitfields agree with the slot lists, no cycles, tails right, counts
//     agree, every live entry sits no later than the slot its tick says: never early);
//   - pending(), refs() and nextDeadline() agree with a model kept here;
//   - ids the model says are not pending change nothing.
// And every pass (process(T, 1), then process(T, 0) until it returns 0) hands out exactly the
// live entries due by T that were fixed before it began, in (tick, arming order) order, and
// nothing armed during the pass (guarantee 4).
//
// The protocol the driver follows (src/driver.ts) is respected where the core relies on it:
// queued records go through the IN window in the order they were made, at most WINDOW per
// flush, a refresh's two records in the same window; cancel and refresh records are flushed
// before any synchronous call, any process call and any move of the clock; a pass
// keeps one tick; a refresh never moves a linked entry's deadline earlier (the façade only
// refreshes with its original delay, from a later clock). What lies outside it is listed at
// the end of the file.
//
// Replay: TICKWHEEL_SEED=<seed> [TICKWHEEL_PATH=<path>] npx vitest run test/fuzz_abi.test.ts

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HORIZON, failing, fcParams, opsArray } from './helpers/model';
import { testingCore, type TestingCore } from './helpers/testing_core';

const RUNS = 40;
const OPS = 4_000;
/** On: the generator steers around ABI bug 1 (below; fixed in 4f9b239). Keep it false. */
const AVOID_ABI_BUG_1 = false;

const SLOT_BITS = 26;
const SLOT_MASK = 2 ** SLOT_BITS - 1;
const WINDOW = 1024;
/** The driver's clock stops here (src/constants.ts): ticks are 43 bits. */
const CLOCK_LIMIT = 2 ** 43 - 2 ** 37;

// ---- the model ----------------------------------------------------------------------------

type St = 'queued' | 'live' | 'emitted' | 'emitted-dead' | 'gone';
interface Entry {
  id: number;
  slot: number;
  st: St;
  /** The encoded delay waiting for the next flush (queued). */
  enc: number;
  /** The fixed tick and arming order (live), and the pass in which they were fixed. */
  tick: number;
  seq: number;
  fixedIn: number;
  /** Linked in a list of the core (flushed and not handed out since): refresh may not go earlier. */
  linked: boolean;
  unref: boolean;
  /** A sweep in the middle of pass N may move this due entry to the next pass (see `swept`). */
  mayDeferIn: number;
  /** The latest tick a queued refresh record promises it (records never move a deadline earlier). */
  recTick: number;
  /** Its façade delay in whole ms, written into the core's D array when it was armed. */
  dms: number;
}

/** The core's tick for an encoded delay (assembly/wheel.ts tickFor + level.ts ticksCeil). */
function tickFor(enc: number, now: number): number {
  let at: number;
  if (enc >= 0) {
    at = now + (enc < HORIZON ? enc : HORIZON);
  } else {
    at = -enc - 1;
    const limit = now + HORIZON;
    if (at > limit) at = limit;
  }
  return at > 0 ? Math.ceil(at) : 0;
}

type Target =
  | { t: 'valid'; pick: number }
  | { t: 'any'; pick: number } //                    any id ever handed out: pending, emitted or stale
  | { t: 'forged'; id: number }
  | { t: 'wrongGen'; pick: number; delta: number }
  | { t: 'bigSlot'; gen: number; slot: number } //   a slot at or past capacity
  | { t: 'foreign'; pick: number }; //                an id of another core instance

type Enc = { rel: number } | { abs: number };

type Op =
  | { k: 'schedule'; enc: Enc; unref: boolean; n: number }
  | { k: 'cancel'; target: Target }
  | { k: 'cancelRec'; target: Target } //           a cancel record in the queue (the façade's clearTimeout)
  | { k: 'refreshRec'; target: Target; extra: number } // a refresh record: id, then an encoded delay
  | { k: 'refresh'; target: Target; how: number; extra: number }
  | { k: 'rekey'; target: Target; enc: Enc; unref: boolean }
  | { k: 'setRef'; target: Target; keep: boolean }
  | { k: 'flush'; garbage: number }
  | { k: 'clock'; ms: number }
  | { k: 'pass' } //                                 process(T, 1) if no pass runs, else process(T, 0)
  | { k: 'odd'; tick: number } //                    process(NaN / -1 / -Infinity / 0, 1): no tick at all
  | { k: 'sweep' }
  | { k: 'noop' };

const pick = fc.nat();
const encArb: fc.Arbitrary<Enc> = fc.oneof(
  { arbitrary: fc.record({ rel: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom(63, 64, 65, 4095, 4096, 4097, 262_143, 262_144, 16_777_216, HORIZON, HORIZON + 1, Infinity), fc.integer({ min: 0, max: 2 ** 36 })) }), weight: 4 },
  { arbitrary: fc.record({ abs: fc.oneof(fc.integer({ min: -300, max: 300 }), fc.integer({ min: -(2 ** 36), max: 2 ** 37 })) }), weight: 1 },
);
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('valid' as const), pick }), weight: 8 },
  { arbitrary: fc.record({ t: fc.constant('any' as const), pick }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('forged' as const), id: fc.oneof(fc.double(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 2 ** 26, 2 ** 50, 2 ** 50 - 1, 2 ** 53, 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 26 + 0.5)) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('wrongGen' as const), pick, delta: fc.constantFrom(1, -1, 2 ** 23, 7) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('bigSlot' as const), gen: fc.integer({ min: 1, max: 2 ** 24 - 1 }), slot: fc.integer({ min: 0, max: SLOT_MASK }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('foreign' as const), pick }), weight: 1 },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant({ k: 'noop' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('schedule' as const), enc: encArb, unref: fc.boolean(), n: fc.oneof({ arbitrary: fc.constant(1), weight: 20 }, { arbitrary: fc.integer({ min: 2, max: 1500 }), weight: 1 }) }), weight: 20 },
  { arbitrary: fc.record({ k: fc.constant('cancel' as const), target: targetArb }), weight: 10 },
  { arbitrary: fc.record({ k: fc.constant('cancelRec' as const), target: targetArb }), weight: 8 },
  { arbitrary: fc.record({ k: fc.constant('refreshRec' as const), target: targetArb, extra: fc.integer({ min: 0, max: 5000 }) }), weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('refresh' as const), target: targetArb, how: fc.integer({ min: 0, max: 2 }), extra: fc.integer({ min: 0, max: 5000 }) }), weight: 8 },
  { arbitrary: fc.record({ k: fc.constant('rekey' as const), target: targetArb, enc: encArb, unref: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('setRef' as const), target: targetArb, keep: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('flush' as const), garbage: fc.integer({ min: 0, max: 3 }) }), weight: 10 },
  { arbitrary: fc.record({ k: fc.constant('clock' as const), ms: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(0.5, 63, 64, 65, 4095, 4096, 4097, 262_144, 16_777_216, 2 ** 30, HORIZON, HORIZON + 1), fc.integer({ min: 0, max: 2 ** 24 })) }), weight: 8 },
  { arbitrary: fc.constant({ k: 'pass' as const }), weight: 14 },
  { arbitrary: fc.record({ k: fc.constant('odd' as const), tick: fc.constantFrom(NaN, -1, -Infinity, 0, -0) }), weight: 1 },
  { arbitrary: fc.constant({ k: 'sweep' as const }), weight: 1 },
);

// ---- the runner ---------------------------------------------------------------------------

const totals = { runs: 0, ops: 0, calls: 0, checks: 0, emitted: 0, forged: 0, passes: 0, sweeps: 0, records: 0 };

class Fuzz {
  readonly c: TestingCore;
  /** Another instance, for foreign ids. */
  readonly other: TestingCore;
  readonly otherIds: number[] = [];
  readonly all: Entry[] = []; //        every entry ever made, in order
  readonly ids = new Set<number>();
  /** Entries not gone, by slot. */
  readonly bySlot = new Map<number, Entry>();
  /** Entries handed out by the last process call (the next one frees them unless re-armed). */
  out: Entry[] = [];
  /**
   * Records waiting for a flush, in the order they were made, one group per operation: [slot],
   * [-id] (cancel) or [id, enc] (refresh). A group is never split across two windows.
   */
  queue: number[][] = [];
  /** Cancel and refresh records queued. As in the driver, they are flushed before any call that
   * reads or changes an entry synchronously, before a pass, and before the clock moves. */
  recs = 0;
  clock = 0; //                         the clock flushes read (monotonic, < CLOCK_LIMIT)
  coreTick = 0; //                      the highest tick passed to process
  seq = 0;
  pending = 0;
  refs = 0;
  passNo = 0;
  inPass = false;
  passT = 0;
  /** (tick, seq) of the last entry handed out in this pass, for the order check. */
  lastTick = -1;
  lastSeq = -1;
  step = '';

  constructor(seed: number) {
    this.c = testingCore(seed);
    this.other = testingCore(seed ^ 0x5a5a5a5a);
    for (let i = 0; i < 64; i++) this.otherIds.push(this.other.schedule(i, 0));
  }

  fail(what: string): never {
    throw new Error(`${what} (at ${this.step}; clock ${this.clock}, core tick ${this.coreTick}, pending ${this.pending})`);
  }

  verify(): void {
    const c = this.c;
    totals.checks++;
    const code = c.check();
    if (code !== 0) this.fail(`check() returned ${code}`);
    if (c.pending() !== this.pending) this.fail(`pending() is ${c.pending()}, the model says ${this.pending}`);
    if (c.refs() !== this.refs) this.fail(`refs() is ${c.refs()}, the model says ${this.refs}`);
    if (this.bySlot.size > 3000 && totals.checks % 64 !== 0) return;
    let best = Infinity;
    for (const e of this.bySlot.values()) if (e.st === 'live' && e.tick < best) best = e.tick;
    const nd = c.nextDeadline();
    if (nd !== (best === Infinity ? -1 : best)) this.fail(`nextDeadline() is ${nd}, the model says ${best}`);
    const ne = c.nextExpiration();
    // Work is next due at the next deadline, or at once (the wheel's elapsed tick) if that is past.
    if (best !== Infinity && !(ne >= 0 && ne <= Math.max(best, c.elapsed()))) this.fail(`nextExpiration() is ${ne}, after the next deadline ${best}`);
  }

  /** An id for a target, and the entry it names if it is a current id (else undefined). */
  resolve(t: Target): [number, Entry | undefined] {
    const all = this.all;
    switch (t.t) {
      case 'valid': {
        const live: Entry[] = [];
        for (let j = all.length - 1; j >= 0 && live.length < 64; j--) if (all[j].st !== 'gone') live.push(all[j]);
        if (live.length === 0) return [-1, undefined];
        const e = live[t.pick % live.length];
        return [e.id, e];
      }
      case 'any': {
        if (all.length === 0) return [-1, undefined];
        const e = all[t.pick % all.length];
        return [e.id, e.st === 'gone' ? undefined : e];
      }
      case 'forged':
        totals.forged++;
        return [t.id, this.owner(t.id)];
      case 'wrongGen': {
        if (all.length === 0) return [-1, undefined];
        const e = all[t.pick % all.length];
        const id = e.id + t.delta * 2 ** SLOT_BITS;
        totals.forged++;
        return [id, this.owner(id)];
      }
      case 'bigSlot': {
        const id = t.gen * 2 ** SLOT_BITS + Math.max(t.slot, this.c.capacity());
        totals.forged++;
        return [id, this.owner(id)];
      }
      case 'foreign': {
        const id = this.otherIds[t.pick % this.otherIds.length];
        totals.forged++;
        return [id, this.owner(id)];
      }
    }
  }

  /** The entry a number names, if it is exactly a current id (a forged id may hit one by chance). */
  owner(id: number): Entry | undefined {
    const e = Number.isInteger(id) && id >= 0 ? this.bySlot.get(id % 2 ** SLOT_BITS) : undefined;
    return e !== undefined && e.id === id && e.st !== 'gone' ? e : undefined;
  }

  encOf(enc: Enc): number {
    return 'rel' in enc ? enc.rel : -(Math.max(0, this.clock + enc.abs) + 1);
  }

  /**
   * Writes the delay a refresh record with NaN for its delay re-arms with into D, as the
   * façade does when it arms a timer: the arming delay, or (armed for an instant) one made up.
   */
  setDelay(slot: number, enc: number): number {
    const dms = enc >= 0 ? Math.min(Math.ceil(enc), 0xffff_fffe) : (slot * 37) % 5000;
    new Uint32Array(this.c.memory.buffer)[this.c._delayBase + slot] = dms;
    return dms;
  }

  schedule(enc: number, unref: boolean): void {
    const dead = this.c.dead();
    const id = this.c.schedule(enc, unref ? 1 : 0);
    totals.calls++;
    if (this.c.dead() < dead) this.swept();
    if (!(Number.isInteger(id) && id >= 2 ** SLOT_BITS && id < 2 ** 50)) this.fail(`schedule() returned ${id}`);
    const slot = id % 2 ** SLOT_BITS;
    const old = this.bySlot.get(slot);
    if (old !== undefined && old.st !== 'gone') this.fail(`schedule() reused slot ${slot}, still ${old.st}`);
    if (this.ids.has(id)) this.fail(`schedule() handed out id ${id} twice`);
    const e: Entry = { id, slot, st: 'queued', enc, tick: 0, seq: 0, fixedIn: -1, linked: false, unref, mayDeferIn: -1, recTick: 0, dms: this.setDelay(slot, enc) };
    this.ids.add(id);
    this.all.push(e);
    this.bySlot.set(slot, e);
    this.queue.push([slot]);
    this.pending++;
    if (!unref) this.refs++;
  }

  /** What cancel does to the model; returns whether the core must report a slot. */
  cancelModel(e: Entry | undefined): boolean {
    if (e === undefined) return false;
    if (e.st === 'queued' || e.st === 'live') {
      this.gone(e);
      this.pending--;
      if (!e.unref) this.refs--;
      return true;
    }
    if (e.st === 'emitted') {
      e.st = 'emitted-dead';
      return true;
    }
    return false;
  }

  /** The driver never has records queued when it calls the core synchronously: flush them. */
  sync(): void {
    if (this.recs !== 0) this.flush(0);
  }

  cancelRec(t: Target): void {
    const [id] = this.resolve(t);
    if (!(id > SLOT_MASK)) return; // the driver queues only numbers that could be ids
    this.queue.push([-id]);
    this.recs++;
  }

  refreshRec(t: Target, extra: number): void {
    const [id, e] = this.resolve(t);
    if (!(id > SLOT_MASK)) return;
    // An instant no earlier than the entry's deadline now (or once its queued slot is fixed)
    // nor than any refresh already queued for it: a refresh never moves a deadline earlier.
    let at = this.clock + extra;
    if (e !== undefined) {
      const now = e.st === 'queued' ? tickFor(e.enc, this.clock) : e.st === 'live' ? e.tick : 0;
      // Half the time, NaN: the core re-arms with the delay in D (the façade's usual record),
      // when that keeps the rule (records are flushed before the clock moves).
      const fromD = tickFor(e.dms, this.clock);
      if (extra % 2 === 0 && fromD >= Math.max(now, e.recTick)) {
        e.recTick = fromD;
        this.queue.push([id, NaN]);
        this.recs++;
        return;
      }
      at = Math.max(at, now + extra, e.recTick);
      e.recTick = at;
    }
    // For an id the model does not know as pending (stale, forged, foreign) either kind will do.
    this.queue.push([id, e === undefined && extra % 2 === 0 ? NaN : -(at + 1)]);
    this.recs++;
  }

  cancel(t: Target): void {
    this.sync();
    const [id, e] = this.resolve(t);
    const slot = this.c.cancel(id);
    totals.calls++;
    const want = this.cancelModel(e);
    if ((slot >= 0) !== want || (want && slot !== e!.slot)) this.fail(`cancel(${id}) returned ${slot}; the model says ${want ? e!.slot : -1}`);
  }

  refresh(t: Target, how: number, extra: number): void {
    this.sync();
    const [id, e] = this.resolve(t);
    // The new deadline: the original delay again, a longer one, or an instant; never earlier
    // than the fixed tick of a linked entry (the precondition of `rearm`).
    let enc = e === undefined ? extra : how === 0 ? e.enc : how === 1 ? extra : -(this.clock + extra + 1);
    if (e !== undefined && e.linked && tickFor(enc, this.clock) < e.tick) enc = -(e.tick + extra + 1);
    // ABI bug 1 (fixed): an entry whose deadline was fixed during a pass, for a tick the pass
    // had reached, could be handed out in that same pass.
    if (AVOID_ABI_BUG_1 && this.inPass && tickFor(enc, this.clock) <= this.passT) enc = this.passT + 1 - this.clock + extra;
    const slot = this.c.refresh(id, enc);
    totals.calls++;
    const want = e !== undefined && (e.st === 'queued' || e.st === 'live' || e.st === 'emitted');
    if ((slot >= 0) !== want || (want && slot !== e!.slot)) this.fail(`refresh(${id}) returned ${slot}; the model says ${want ? e!.slot : -1}`);
    if (!want) return;
    if (e!.st === 'emitted') {
      this.pending++;
      if (!e!.unref) this.refs++;
    }
    e!.st = 'queued';
    e!.enc = enc;
    this.queue.push([slot]);
  }

  rekey(t: Target, enc: number, unref: boolean): void {
    this.sync();
    const [id, e] = this.resolve(t);
    this.cancelModel(e);
    const dead = this.c.dead();
    const nid = this.c.rekey(id, enc, unref ? 1 : 0);
    totals.calls++;
    if (this.c.dead() < dead + (e !== undefined && e.st === 'gone' && e.linked ? 1 : 0)) this.swept();
    // rekey = cancel + schedule (as Driver._rekey does): check like schedule does.
    if (!(Number.isInteger(nid) && nid >= 2 ** SLOT_BITS)) this.fail(`rekey() returned ${nid}`);
    const slot = nid % 2 ** SLOT_BITS;
    const ne: Entry = { id: nid, slot, st: 'queued', enc, tick: 0, seq: 0, fixedIn: -1, linked: false, unref, mayDeferIn: -1, recTick: 0, dms: this.setDelay(slot, enc) };
    const old = this.bySlot.get(slot);
    if (old !== undefined && old.st !== 'gone') this.fail(`rekey() reused slot ${slot}, still ${old.st}`);
    if (this.ids.has(nid)) this.fail(`rekey() handed out id ${nid} twice`);
    this.ids.add(nid);
    this.all.push(ne);
    this.bySlot.set(slot, ne);
    this.queue.push([slot]);
    this.pending++;
    if (!unref) this.refs++;
  }

  setRef(t: Target, keep: boolean): void {
    this.sync();
    const [id, e] = this.resolve(t);
    const r = this.c.setRef(id, keep ? 1 : 0);
    totals.calls++;
    // Handed out too (its callback may (un)ref it before it re-arms); it counts in refs again
    // only when it re-arms, by its bit then.
    const want = e !== undefined && (e.st === 'queued' || e.st === 'live' || e.st === 'emitted');
    if ((r === 1) !== want) this.fail(`setRef(${id}) returned ${r}; the model says ${want ? 1 : 0}`);
    if (want && e!.unref === keep) {
      e!.unref = !keep;
      if (e!.st !== 'emitted') this.refs += keep ? 1 : -1;
    }
  }

  /** Flushes the queue through the IN window (whole groups, at most WINDOW records per call), with optional garbage. */
  flush(garbage: number): void {
    const c = this.c;
    const items = this.queue;
    this.queue = [];
    this.recs = 0;
    const queued = new Set(items.filter((g) => g.length === 1 && g[0] >= 0).map((g) => g[0]));
    // Garbage the core must skip: slots at or past capacity, and slots that are free.
    for (let g = 0; g < garbage; g++) {
      const cap = c.capacity();
      items.splice((g * 7919) % (items.length + 1), 0, [g % 2 ? 2 ** 26 - 1 - g : cap + g]);
      for (let s = (g * 104_729) % Math.max(cap, 1), tries = 0; tries < 64; s = (s + 1) % Math.max(cap, 1), tries++) {
        if (c.stateAt(s) === 0 && !queued.has(s)) { items.splice(items.length >> 1, 0, [s]); break; }
      }
    }
    for (let off = 0; off < items.length; ) {
      const win = new Float64Array(c.memory.buffer, c.windows(), WINDOW);
      let k = 0;
      let end = off;
      while (end < items.length && k + items[end].length <= WINDOW) for (const r of items[end++]) win[k++] = r;
      const dead = c.dead();
      c.flush(this.clock, k, end < items.length ? 1 : 0);
      totals.calls++;
      if (c.dead() < dead) this.swept();
      for (let j = off; j < end; j++) this.apply(items[j]);
      off = end;
      this.verify();
    }
    if (items.length === 0) {
      const dead = c.dead();
      c.flush(this.clock, 0);
      totals.calls++;
      if (c.dead() < dead) this.swept();
    }
  }

  /** What the flush does with one group of records, in the model. */
  apply(g: number[]): void {
    const r = g[0];
    if (r >= 0 && r <= SLOT_MASK) return this.fixModel(r);
    totals.records++;
    // A record names the timer it was made for; a timer still queued here was armed after
    // the record (its id was forged: a slot's next generation), so the record ignores it.
    const e = this.owner(Math.abs(r));
    if (e === undefined || e.st === 'queued') return;
    if (r < 0) {
      this.cancelModel(e);
      return;
    }
    if (e.st !== 'live' && e.st !== 'emitted') return;
    if (e.st === 'emitted') {
      this.pending++;
      if (!e.unref) this.refs++;
    }
    e.st = 'live';
    e.tick = tickFor(g[1] === g[1] ? g[1] : e.dms, this.clock);
    e.seq = this.seq++;
    e.linked = true;
    e.fixedIn = this.inPass ? this.passNo : -1;
  }

  fixModel(slot: number): void {
    const e = this.bySlot.get(slot);
    if (e === undefined) return;
    if (e.st === 'queued') {
      e.tick = tickFor(e.enc, this.clock);
      e.seq = this.seq++;
      e.st = 'live';
      e.linked = true;
      e.fixedIn = this.inPass ? this.passNo : -1;
    } else if (e.st === 'live') {
      e.seq = this.seq++; // queued twice in one batch: only its place in line moves
      e.fixedIn = this.inPass ? this.passNo : -1;
    }
  }

  /** One process call: begins a pass, or continues the one running. */
  process(): void {
    const c = this.c;
    let begin = 0;
    // As the driver does: records are applied before any process call (mid-pass too: the
    // checkpoint runs between two timers of the test clock).
    this.sync();
    if (!this.inPass) {
      // As the driver does: registrations made before the pass are fixed before it begins.
      if (this.queue.length !== 0) this.flush(0);
      this.inPass = true;
      this.passNo++;
      totals.passes++;
      this.passT = Math.floor(this.clock);
      if (this.passT > this.coreTick) this.coreTick = this.passT;
      this.lastTick = this.lastSeq = -1;
      begin = 1;
    }
    const T = this.passT;
    const n = c.process(T, begin);
    totals.calls++;
    this.released();
    const out = new Int32Array(c.memory.buffer, c.windows() + WINDOW * 8, WINDOW);
    for (let j = 0; j < n; j++) {
      const slot = out[j];
      const e = this.bySlot.get(slot);
      if (e === undefined || e.st !== 'live') this.fail(`process handed out slot ${slot}, which the model has as ${e?.st ?? 'unknown'}`);
      if (e.tick > T) this.fail(`process(${T}) handed out slot ${slot} early: its tick is ${e.tick}`);
      if (e.fixedIn === this.passNo) this.fail(`process handed out slot ${slot} in the pass that armed it (guarantee 4)`);
      // Deferred entries come first, then the wheel's; their ticks are lower, so one order holds.
      if (e.tick < this.lastTick || (e.tick === this.lastTick && e.seq < this.lastSeq)) {
        this.fail(`out of order: slot ${slot} (tick ${e.tick}, seq ${e.seq}) after (tick ${this.lastTick}, seq ${this.lastSeq})`);
      }
      this.lastTick = e.tick;
      this.lastSeq = e.seq;
      this.out.push(e);
      e.st = 'emitted';
      e.linked = false;
      this.pending--;
      if (!e.unref) this.refs--;
      totals.emitted++;
    }
    if (n === 0) {
      this.inPass = false;
      // Every entry due by T and fixed before this pass began must have been handed out.
      for (const e of this.bySlot.values()) {
        if (e.st === 'live' && e.tick <= T && e.fixedIn !== this.passNo && e.mayDeferIn !== this.passNo) this.fail(`slot ${e.slot} (tick ${e.tick}) was due by ${T} but the pass ended without it`);
      }
    }
  }

  /** Entries handed out by the previous process call and not re-armed are freed by this one. */
  released(): void {
    for (const e of this.out) if (e.st === 'emitted' || e.st === 'emitted-dead') this.gone(e);
    this.out = [];
  }

  gone(e: Entry): void {
    e.st = 'gone';
    if (this.bySlot.get(e.slot) === e) this.bySlot.delete(e.slot);
  }

  odd(tick: number): void {
    // process() with a tick that is not a number >= 0 reads as tick 0: a pass at the start of
    // time. It may still hand out entries deferred earlier (their tick has been reached).
    for (let begin = 1; ; begin = 0) {
      const n = this.c.process(tick, begin);
      totals.calls++;
      this.released();
      const out = new Int32Array(this.c.memory.buffer, this.c.windows() + WINDOW * 8, WINDOW);
      for (let j = 0; j < n; j++) {
        const e = this.bySlot.get(out[j]);
        if (e === undefined || e.st !== 'live' || e.tick > this.coreTick) this.fail(`process(${tick}) handed out slot ${out[j]} (${e?.st}, tick ${e?.tick})`);
        this.out.push(e);
        e.st = 'emitted';
        e.linked = false;
        this.pending--;
        if (!e.unref) this.refs--;
      }
      this.verify();
      if (n === 0) break;
    }
  }

  sweep(): void {
    const before = this.c.dead();
    const freed = this.c.sweep();
    totals.calls++;
    if (freed > 0 && this.c.dead() !== 0) this.fail(`sweep() freed ${freed} but dead() is ${this.c.dead()}`);
    if (freed > 0 || before === 0) this.swept();
  }

  /**
   * A sweep re-places every live entry by its tick, and one whose tick the running pass has
   * reached goes to DEFERRED: the rest of the pass moves to the next pass (same tick, same
   * order). Sweeps also run inside schedule (no free entry, many dead) and flush (dead
   * entries outnumber live ones), seen here as dead() going down.
   */
  swept(): void {
    totals.sweeps++;
    if (!this.inPass) return;
    for (const e of this.bySlot.values()) if (e.st === 'live' && e.tick <= this.passT) e.mayDeferIn = this.passNo;
  }
}

async function runOps(ops: Op[]): Promise<void> {
  const f = new Fuzz(ops.length * 31 + 7);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    f.step = `operation #${i} ${JSON.stringify(op)}`;
    switch (op.k) {
      case 'schedule':
        for (let j = 0; j < op.n; j++) {
          f.schedule(f.encOf(op.enc), op.unref);
          if (op.n < 50 || j % 97 === 0) f.verify();
        }
        break;
      case 'cancel': f.cancel(op.target); break;
      case 'cancelRec': f.cancelRec(op.target); break;
      case 'refreshRec': f.refreshRec(op.target, op.extra); break;
      case 'refresh': f.refresh(op.target, op.how, op.extra); break;
      case 'rekey': f.rekey(op.target, f.encOf(op.enc), op.unref); break;
      case 'setRef': f.setRef(op.target, op.keep); break;
      case 'flush': f.flush(op.garbage); break;
      case 'clock':
        // Between passes only: a pass keeps one tick.
        // Records never outlive the turn they were made in: the checkpoint flushes them first.
        f.sync();
        if (!f.inPass) f.clock = Math.min(f.clock + op.ms, CLOCK_LIMIT - 2 ** 37);
        break;
      case 'pass': f.process(); break;
      case 'odd': f.sync(); if (!f.inPass) f.odd(op.tick); break;
      case 'sweep': f.sweep(); break;
      case 'noop': break;
    }
    f.verify();
  }
  // Drain: flush, then passes up to the end of the horizon; everything pending fires.
  f.step = 'the final drain';
  while (f.inPass) f.process();
  f.flush(0);
  f.clock = Math.min(f.clock + HORIZON + 1, CLOCK_LIMIT);
  do f.process(); while (f.inPass);
  f.verify();
  if (f.pending !== 0) f.fail('timers left pending after the drain');
  totals.runs++;
  totals.ops += ops.length;
}

describe('wasm ABI fuzz (testing build, invariant check after every call)', () => {
  afterAll(() => {
    console.log(`fuzz_abi.test: ${totals.runs} runs, ${totals.ops} operations, ${totals.calls} ABI calls, ${totals.checks} check() calls, ${totals.passes} passes, ${totals.emitted} entries handed out, ${totals.sweeps} sweeps, ${totals.forged} forged or foreign ids, ${totals.records} cancel / refresh records`);
  });

  it(`${RUNS} runs × ${OPS} random operations: invariants hold, the model agrees`, async () => {
    await fc.assert(fc.asyncProperty(opsArray(opArb, OPS), failing(runOps)), fcParams('fuzz_abi.test', RUNS));
  }, 120_000);

  it('ABI bug 1 (fixed in 4f9b239): an entry waiting for window room, refreshed mid-pass to a reached tick, waits for the next pass', () => {
    // 1100 entries due at tick 0; the first process call hands out 1024 and 76 wait in DUE.
    // "A callback" (between the two process calls) refreshes one of the waiting ones for tick
    // 0 again and the flush fixes it: it was re-armed during the pass, so by the core's own
    // rule and API.md guarantee 4 it must wait for the next pass. It used to come out in this
    // one (reachable through Sleep.reset in place, see faults.test.ts core bug 5).
    const c = testingCore(3);
    const ids: number[] = [];
    for (let i = 0; i < 1100; i++) ids.push(c.schedule(-1, 0)); // the instant 0
    const win = () => new Float64Array(c.memory.buffer, c.windows(), WINDOW);
    const flush = (slots: number[]) => { for (let off = 0; off < slots.length; off += WINDOW) { const k = Math.min(WINDOW, slots.length - off); win().set(slots.slice(off, off + k)); c.flush(0, k); } };
    flush(ids.map((id) => id % 2 ** SLOT_BITS));
    expect(c.process(0, 1)).toBe(WINDOW);
    const late = ids[1099];
    const slot = c.refresh(late, -1);
    expect(slot).toBe(late % 2 ** SLOT_BITS);
    flush([slot]);
    const out = new Int32Array(c.memory.buffer, c.windows() + WINDOW * 8, WINDOW);
    const n = c.process(0, 0);
    const handed = Array.from(out.subarray(0, n));
    expect(handed).not.toContain(slot);
    expect(handed).toHaveLength(75);
    expect(c.process(0, 0)).toBe(0);
    expect(c.process(0, 1)).toBe(1); //                  the next pass
    expect(out[0]).toBe(slot);
  });

  it('forged ids never reach another timer: 10^5 random numbers against a full slab', () => {
    const c = testingCore(12345);
    const ids: number[] = [];
    for (let i = 0; i < 4096; i++) ids.push(c.schedule(1000 + i, 0));
    const win = new Float64Array(c.memory.buffer, c.windows(), WINDOW);
    for (let off = 0; off < ids.length; off += WINDOW) {
      for (let j = 0; j < WINDOW; j++) win[j] = ids[off + j] % 2 ** SLOT_BITS;
      c.flush(0, WINDOW);
    }
    const valid = new Set(ids);
    const rnd = fc.sample(fc.oneof(fc.double(), fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 2 ** 26, max: 2 ** 26 * 16 + 4096 })), { seed: 99, numRuns: 100_000 });
    let hits = 0;
    for (const id of rnd) {
      if (valid.has(id)) { hits++; continue; }
      if (c.cancel(id) >= 0 || c.refresh(id, 5) >= 0 || c.setRef(id, 0) !== 0) throw new Error(`forged id ${id} was accepted`);
    }
    expect(c.pending()).toBe(4096);
    expect(c.check()).toBe(0);
    expect(hits).toBeLessThan(3);
  });
});

// What the ABI does outside the driver's protocol (observed, not promised; see the report):
// - flush(now, count) with count > WINDOW reads past the IN window (into OUT and beyond), and
//   a negative count traps (memory access out of bounds); the driver passes 0..WINDOW.
// - refresh() to an earlier deadline of an entry still in a list leaves it in its old slot:
//   check() reports 4 and it fires when that slot comes up (late).
// - flush() with a clock past 2^43 - 2^37 ms wraps ticks (check() reports 3); the driver's
//   clock stops before that.
