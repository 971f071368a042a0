// The Driver: one wasm wheel, one host timer, and the JS side of every timer.
//
// HOW a timer lives
//   schedule ──► wasm `schedule` (one call: takes a slot, stores the delay, returns the id)
//            └─► slot index pushed on `q` (the registration queue) + a microtask "checkpoint"
//   checkpoint ─► one clock reading; wasm `flush` fixes every queued deadline against it and
//                 inserts the entries in queue order; the host timer is re-armed if needed.
//   host timer ─► a pass: wasm `process` hands due slots out through the OUT window, a
//                 batch per call; JS runs each one's target (checking first that an earlier
//                 callback of the batch did not cancel or re-arm it), then asks again.
//
// WHY the queue: reading the clock costs more than a wasm call, and a deadline computed
// from a cached reading could fire early. Fixing deadlines at the checkpoint (as Tokio's
// driver does) costs one reading per batch, and the deadline is never earlier than
// "the moment of the call + delay". Anyone who asks for a deadline before the checkpoint
// (a Sleep's `deadline`, `nextDeadline()`) makes the flush happen right then.
//
// What each slot holds on the JS side: `targets[slot]` is the callback itself for a plain
// `setTimeout` (no object per timer), or an object with `_fire` (façade timers with
// arguments or a period, sleeps, entries, intervals, delay queues).

import {
  BIG_DELAY, CLOCK_LIMIT, GEN_MASK, HORIZON, SEQ_LIMIT, SEQ_LO_BITS, SLOT_MASK, STATE_SHIFT, ST_EMITTED, ST_EMITTED_DEAD, ST_LIVE,
} from './constants';

/** The tick bits in the high half of word A (its low 11 bits; the rest is seq). */
const LOW_TICK_BITS = (1 << (32 - SEQ_LO_BITS)) - 1;
import { ShutdownError, checkDelay, checkFunction, checkOptions } from './errors';
import { defaultClock, host, nextMacrotask, type Clock } from './time_source';
import { TimerEntry } from './entry';
import { makeInterval, makeIntervalAt, type Interval, type IntervalOptions } from './interval';
import { makeSleep, makeSleepUntil, type Sleep, type SleepOptions } from './sleep';
import { makeTimeout, makeTimeoutAt, type TimeoutOptions, type Work } from './timeout';
import { createCore, Views, type Core } from './wasm';

/** What a slot can hold: a plain callback or an object the driver fires. @internal */
export interface Target {
  /** Called when the timer is due. `slot` is where it lay (it may re-arm itself there). */
  _fire(driver: Driver, slot: number): void;
  /** Called by `shutdown()` for every pending target. */
  _shutdown?(err: ShutdownError): void;
}

/** An object whose deadline is fixed by the next checkpoint. @internal */
export interface Fixable { _fixed(now: number): void }

export interface DriverOptions {
  /** Where time comes from; default: `performance.now()`. Readings are made relative to the first. */
  clock?: Clock;
  /** Start with time frozen at exactly 0 (the test clock). */
  paused?: boolean;
  /** With `paused`: when a whole macrotask turn passes with timers pending, jump to the next deadline. */
  autoAdvance?: boolean;
  /** Receives what callbacks throw; default: rethrown asynchronously (uncaughtException / error event). */
  onError?: (err: unknown) => void;
  /** Timer slots to reserve up front; the driver grows as needed either way. */
  initialCapacity?: number;
}

export interface DriverStats {
  /** Timers armed and neither fired nor cancelled. */
  pending: number;
  /** Callbacks run, interval ticks delivered, sleeps resolved. */
  fired: number;
  /** Pending timers cleared or cancelled (resets and no-op clears count as neither). */
  cancelled: number;
  /** Occupied slots per wheel level, 6 entries. */
  levels: number[];
}

/** Passes `advance` may run at one instant before it leaves the rest for later (guarantee 9). */
const SAME_INSTANT_PASSES = 1000;
/** Passes `runUntilIdle` runs before it decides the work never ends (a setInterval, say). */
const IDLE_PASS_LIMIT = 1_000_000;

let seedCounter = 0x2545_f491;
function nextSeed(): number {
  seedCounter = (Math.imul(seedCounter ^ (seedCounter >>> 15), 0x2c1b_3c6d) + 0x6a09_e667) | 0;
  return (seedCounter ^ (Math.random() * 0x1_0000_0000)) | 0;
}

/** A façade timer with arguments, or a setInterval. */
class FacadeCall implements Target {
  constructor(readonly fn: (...a: unknown[]) => void, readonly args: unknown[] | undefined, readonly period: number) {}
  _fire(d: Driver, slot: number): void {
    const { fn, args } = this;
    try {
      if (args === undefined) fn(); else fn(...args);
    } finally {
      // An interval re-arms itself unless its callback cleared (or re-armed) it.
      if (this.period > 0 && d._targets[slot] === this) d._rearmSlot(slot, this.period);
    }
  }
}

export class Driver {
  /** @internal */ _core: Core;
  /** @internal */ _v: Views;
  /** @internal */ _targets: Array<Target | ((...a: unknown[]) => void) | undefined>;
  /** @internal Façade delays in whole ms, for refreshTimeout. */ _delays: Uint32Array;
  /** @internal */ _bigDelays = new Map<number, number>();
  /** @internal Registration queue: slots in arming order, flushed at the checkpoint. */ _q: Uint32Array;
  /** @internal */ _qLen = 0;
  /** @internal */ _fix: Fixable[] = [];
  /** @internal */ _closed = false;
  /** @internal */ _fired = 0;
  /** @internal */ _cancelled = 0;
  /** @internal */ _shutdownHooks = new Set<(err: ShutdownError) => void>();

  private _cpQueued = false;
  private readonly _cpFn: () => void;
  private readonly _hostFn: () => void;
  private _host: unknown = undefined;
  private _hostTick = Infinity;
  private _hostSoon = false;
  private _hostRef = true;
  private _inPass = false;
  private _paused: boolean;
  private _pausedNow = 0;
  private readonly _autoAdvance: boolean;
  private _autoQueued = false;
  private _chain: Promise<unknown> = Promise.resolve();
  private readonly _clock: Clock;
  private _origin: number;
  private _offset = 0;
  private _last = 0;
  private readonly _onError: ((err: unknown) => void) | undefined;
  private readonly _seed: number;

  constructor(opts?: DriverOptions) {
    const o = checkOptions('opts', opts) as DriverOptions | undefined;
    const clock = o?.clock;
    if (clock !== undefined && (clock === null || typeof clock !== 'object' && typeof clock !== 'function' || typeof clock.now !== 'function')) {
      throw new TypeError('The "clock" option must be an object with a now() method');
    }
    if (o?.onError !== undefined) checkFunction('onError', o.onError);
    const cap = o?.initialCapacity;
    if (cap !== undefined && (typeof cap !== 'number' || !(cap >= 0) || cap > 2 ** 26)) {
      throw new RangeError('The "initialCapacity" option must be a number from 0 to 2^26');
    }
    this._clock = clock ?? defaultClock;
    this._onError = o?.onError;
    this._paused = !!o?.paused;
    this._autoAdvance = !!o?.autoAdvance && this._paused;
    this._seed = nextSeed();
    this._core = createCore(this._seed);
    this._v = new Views(this._core);
    const n = Math.max(1024, Math.ceil(cap ?? 0));
    this._targets = new Array(n);
    this._delays = new Uint32Array(n);
    this._q = new Uint32Array(1024);
    this._origin = this._rawClock();
    this._cpFn = () => this._checkpoint();
    this._hostFn = () => this._onHost();
    if (cap) this._reserve(this._core.reserve(Math.ceil(cap)));

    // Every public method is bound, so `const { sleep, advance } = driver` works.
    for (const k of BOUND) (this as any)[k] = (this as any)[k].bind(this);
  }

  // ---- clock -----------------------------------------------------------------------------

  private _rawClock(): number {
    const v = this._clock.now();
    if (typeof v !== 'number' || v !== v) {
      throw new TypeError(`The driver's clock.now() returned ${typeof v === 'number' ? 'NaN' : typeof v}, not a number of ms`);
    }
    return v;
  }

  /** @internal Reads the live clock (not the paused one): monotonic, relative to the first reading. */
  _readClock(): number {
    const v = this._rawClock() - this._origin + this._offset;
    // Monotonic; and it stops at CLOCK_LIMIT (274 years), where ticks run out of bits.
    if (v > this._last) this._last = v < CLOCK_LIMIT ? v : CLOCK_LIMIT;
    return this._last;
  }

  /** The driver's clock in ms: monotonic, near 0 when the driver was created (exactly 0 if paused). */
  now(): number {
    return this._paused ? this._pausedNow : this._readClock();
  }

  // ---- Tokio's time API -----------------------------------------------------------------

  /** A low-level timer armed at `deadline` (an instant of this driver's clock). */
  entry(deadline: number): TimerEntry {
    if (this._closed) throw new ShutdownError();
    return new TimerEntry(this, deadline);
  }

  /** A Sleep that completes `ms` from now (Tokio's `sleep`). */
  sleep(ms: number, opts?: SleepOptions): Sleep {
    return makeSleep(this, ms, opts);
  }

  /** A Sleep that completes at `deadline` (Tokio's `sleep_until`). */
  sleepUntil(deadline: number, opts?: SleepOptions): Sleep {
    return makeSleepUntil(this, deadline, opts);
  }

  /** Settles like `work`, or rejects with TimeoutError if `ms` pass first. */
  timeout<T>(ms: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
    return makeTimeout(this, ms, work, opts);
  }

  /** Settles like `work`, or rejects with TimeoutError at `deadline`. */
  timeoutAt<T>(deadline: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
    return makeTimeoutAt(this, deadline, work, opts);
  }

  /** Ticks every `periodMs`, the first tick at once (Tokio's `interval`). */
  interval(periodMs: number, opts?: IntervalOptions): Interval {
    return makeInterval(this, periodMs, opts);
  }

  /** Ticks every `periodMs` from `start` (Tokio's `interval_at`). */
  intervalAt(start: number, periodMs: number, opts?: IntervalOptions): Interval {
    return makeIntervalAt(this, start, periodMs, opts);
  }

  // ---- the Node/HTML-compatible façade ---------------------------------------------------

  /** Like the global setTimeout: returns a positive integer id; `ms` is coerced as Node does. */
  setTimeout<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
  setTimeout(cb: (...a: unknown[]) => void, ms?: unknown): number {
    // No array for the plain case: extra arguments are copied only when there are some.
    return this._facade(cb, ms, 0, arguments.length > 2 ? Array.prototype.slice.call(arguments, 2) : undefined);
  }

  /** Like the global setInterval (the period is coerced as Node does: < 1 or NaN → 1 ms). */
  setInterval<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
  setInterval(cb: (...a: unknown[]) => void, ms?: unknown): number {
    return this._facade(cb, ms, 1, arguments.length > 2 ? Array.prototype.slice.call(arguments, 2) : undefined);
  }

  private _facade(cb: (...a: unknown[]) => void, ms: unknown, repeat: number, args: unknown[] | undefined): number {
    if (typeof cb !== 'function') checkFunction('cb', cb);
    if (this._closed) throw new ShutdownError();
    let d = Number(ms);
    if (!(d >= 1)) d = 1;
    if (repeat && d > HORIZON) d = HORIZON;
    const id = this._core.schedule(d, 0);
    if (id < 0) throw outOfMemory();
    const slot = id & SLOT_MASK;
    if (slot >= this._delays.length) this._reserve(slot + 1);
    // A plain timeout stores its callback itself: no object per timer on this path.
    this._targets[slot] = repeat || args ? new FacadeCall(cb, args, repeat ? d : 0) : cb;
    if (d <= 0xffff_fffe) {
      this._delays[slot] = Math.ceil(d);
    } else {
      this._delays[slot] = BIG_DELAY;
      this._bigDelays.set(slot, d);
    }
    this._enqueue(slot);
    return id;
  }

  /** Cancels a timeout. Anything but a pending id (undefined, stale, foreign, cleared twice) is a no-op. */
  clearTimeout(id: number | undefined): void {
    if (typeof id !== 'number') return;
    const slot = this._core.cancel(id);
    if (slot < 0) return;
    this._targets[slot] = undefined;
    this._cancelled++;
    this._touch();
  }

  /** Same as clearTimeout (ids are shared, as in browsers and Node). */
  clearInterval(id: number | undefined): void {
    this.clearTimeout(id);
  }

  /** Re-arms a pending timeout with its original delay, counted from now. Stale ids are ignored. */
  refreshTimeout(id: number): void {
    if (typeof id !== 'number') return;
    if (this._closed) throw new ShutdownError();
    const slot = id & SLOT_MASK;
    if (slot >= this._delays.length) return;
    let d = this._delays[slot];
    if (d === BIG_DELAY) d = this._bigDelays.get(slot) ?? HORIZON;
    if (this._core.refresh(id, d) < 0) return;
    this._enqueue(slot);
  }

  /** This timer alone no longer keeps the Node process (or Deno/Bun) alive. */
  unrefTimeout(id: number): void {
    if (typeof id === 'number' && this._core.setRef(id, 0)) this._touch();
  }

  /** Undoes unrefTimeout. */
  refTimeout(id: number): void {
    if (typeof id === 'number' && this._core.setRef(id, 1)) this._touch();
  }

  // ---- internal API for sleeps, entries, intervals and queues ----------------------------

  /** @internal Arms `target` for an encoded delay (ms >= 0, or -(instant + 1)). Returns its id. */
  _arm(target: Target, enc: number, unref: boolean): number {
    if (this._closed) throw new ShutdownError();
    const id = this._core.schedule(enc, unref ? 1 : 0);
    if (id < 0) throw outOfMemory();
    const slot = id & SLOT_MASK;
    if (slot >= this._delays.length) this._reserve(slot + 1);
    this._targets[slot] = target;
    this._enqueue(slot);
    return id;
  }

  /** @internal Drops timer `id` of `target` (if pending) and arms a new one; one wasm call. */
  _rekey(id: number, target: Target, enc: number, unref: boolean): number {
    if (this._closed) throw new ShutdownError();
    if (id > 0) {
      const old = id & SLOT_MASK;
      if (this._targets[old] === target) this._targets[old] = undefined;
    }
    const nid = this._core.rekey(id > 0 ? id : -1, enc, unref ? 1 : 0);
    if (nid < 0) throw outOfMemory();
    const slot = nid & SLOT_MASK;
    if (slot >= this._delays.length) this._reserve(slot + 1);
    this._targets[slot] = target;
    this._enqueue(slot);
    return nid;
  }

  /**
   * @internal Re-arms pending timer `id` in place, for a deadline no earlier than its current
   * one (the core moves it on lazily). Returns false when `id` is not pending.
   */
  _rearm(id: number, enc: number): boolean {
    const slot = this._core.refresh(id, enc);
    if (slot < 0) return false;
    this._enqueue(slot);
    return true;
  }

  /**
   * @internal Cancels timer `id`. `count` says whether it counts as a cancellation in stats
   * (a reset that drops the old timer does not). Returns whether it was pending.
   */
  _cancel(id: number, count: boolean): boolean {
    const slot = this._core.cancel(id);
    if (slot < 0) return false;
    this._targets[slot] = undefined;
    if (count) this._cancelled++;
    this._touch();
    return true;
  }

  /** @internal Keeps (or stops keeping) the host alive for timer `id`. */
  _setRef(id: number, on: boolean): void {
    if (this._core.setRef(id, on ? 1 : 0)) this._touch();
  }

  /** @internal Re-arms the timer that was just handed out at `slot` (an interval's next period). */
  _rearmSlot(slot: number, enc: number): void {
    if (this._closed) return;
    if (this._core.refresh(this._idAt(slot), enc) >= 0) this._enqueue(slot);
  }

  /** @internal The id that currently names `slot` (read from the entry's generation). */
  _idAt(slot: number): number {
    const v = this._v;
    if (v._out.length === 0) v._refresh();
    return (v._u32[v._stateBase + (slot << 2)] & GEN_MASK) * (SLOT_MASK + 1) + slot;
  }

  /** @internal `obj._fixed(now)` runs at the next checkpoint, with the reading that fixed its deadline. */
  _needsFix(obj: Fixable): void {
    this._fix.push(obj);
    this._touch();
  }

  /** @internal Fixes every queued deadline now (someone asked for one). */
  _flushNow(): void {
    if (this._closed) return;
    if (this._qLen !== 0 || this._fix.length !== 0) this._flush(this.now());
  }

  /** @internal Reports an error thrown by a callback: onError, or rethrown asynchronously. */
  _report(err: unknown): void {
    const onError = this._onError;
    if (onError) {
      try {
        onError(err);
        return;
      } catch (e) {
        err = e;
      }
    }
    queueMicrotask(() => { throw err; });
  }

  // ---- registration queue and checkpoint -------------------------------------------------

  private _enqueue(slot: number): void {
    if (this._qLen === this._q.length) {
      const bigger = new Uint32Array(this._q.length * 2);
      bigger.set(this._q);
      this._q = bigger;
    }
    this._q[this._qLen++] = slot;
    if (!this._cpQueued) {
      this._cpQueued = true;
      queueMicrotask(this._cpFn);
    }
  }

  /** @internal Schedules a checkpoint (host timer and ref state are revisited there). */
  _touch(): void {
    if (!this._cpQueued) {
      this._cpQueued = true;
      queueMicrotask(this._cpFn);
    }
  }

  private _checkpoint(): void {
    this._cpQueued = false;
    if (this._closed) return;
    if (this._qLen !== 0 || this._fix.length !== 0) this._flush(this.now());
    else this._core.flush(0, 0); // nothing to fix (no clock read); lets the core sweep dead entries
    this._sync();
  }

  /** Fixes every queued registration's deadline against `now`, in queue order. */
  private _flush(now: number): void {
    const core = this._core;
    const n = this._qLen;
    if (n !== 0) {
      if (core.seqNext() + n >= this._seqLimit) this._renumber();
      const v = this._v;
      const w = v._window;
      const q = this._q;
      for (let off = 0; off < n; off += w) {
        const k = n - off < w ? n - off : w;
        if (v._in.length === 0) v._refresh();
        v._in.set(q.subarray(off, off + k));
        core.flush(now, k);
      }
      this._qLen = 0;
      if (q.length > 65536) this._q = new Uint32Array(1024); // let a burst's queue go
    }
    const fix = this._fix;
    if (fix.length !== 0) {
      this._fix = [];
      for (let i = 0; i < fix.length; i++) fix[i]._fixed(now);
    }
  }

  /** @internal Renumbering threshold (tests lower it to exercise the path). */
  _seqLimit = SEQ_LIMIT;

  /**
   * Sequence numbers are about to run out: renumber the live entries 0, 1, 2, … keeping
   * their order. A rare path (once per 2^28 arming operations), done here rather than in
   * wasm to keep the core small; it reads and writes the seq bits of the entry layout that
   * assembly/entry.ts draws (must match it): seq = (word A bits 43..63) | (word B bits 28..31) << 21.
   */
  private _renumber(): void {
    const v = this._v;
    if (v._out.length === 0) v._refresh();
    const u32 = v._u32;
    const base = v._stateBase - 3; // word index of entry 0
    const cap = this._core.capacity();
    const slots: number[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < cap; i++) {
      const w = base + (i << 2);
      if (((u32[w + 3] >>> STATE_SHIFT) & 7) !== ST_LIVE) continue;
      slots.push(i);
      seqs.push((u32[w + 1] >>> (32 - SEQ_LO_BITS)) | ((u32[w + 3] >>> 28) << SEQ_LO_BITS));
    }
    const order = Array.from(slots.keys()).sort((a, b) => seqs[a] - seqs[b]);
    for (let k = 0; k < order.length; k++) {
      const w = base + (slots[order[k]] << 2);
      u32[w + 1] = (u32[w + 1] & LOW_TICK_BITS) | ((k << (32 - SEQ_LO_BITS)) >>> 0);
      u32[w + 3] = (u32[w + 3] & 0x0fff_ffff) | ((k >>> SEQ_LO_BITS) << 28);
    }
    this._core.setSeqNext(order.length);
  }

  /** Grows the JS side to hold `slots` slots (wasm grows itself). */
  private _reserve(slots: number): void {
    let n = this._delays.length;
    while (n < slots) n += Math.max(1024, n >> 3);
    // concat copies natively and keeps fast (holey) elements; growth by 1/8 keeps slack small.
    this._targets = this._targets.concat(new Array(n - this._targets.length));
    const delays = new Uint32Array(n);
    delays.set(this._delays);
    this._delays = delays;
  }

  // ---- passes ------------------------------------------------------------------------------

  /** The state of entry `slot`, read from the wasm memory view (refreshed if memory grew). */
  private _stateOf(slot: number): number {
    const v = this._v;
    if (v._out.length === 0) v._refresh(); // memory grew, maybe inside a callback
    return (v._u32[v._stateBase + (slot << 2)] >>> STATE_SHIFT) & 7;
  }

  /** Runs the target handed out at OUT[i] unless an earlier callback cancelled or re-armed it. */
  private _dispatchAt(i: number): boolean {
    if (this._v._out.length === 0) this._v._refresh();
    const slot = this._v._out[i];
    const t = this._targets[slot];
    if (t === undefined || this._stateOf(slot) !== ST_EMITTED) return false;
    this._fired++;
    try {
      if (typeof t === 'function') t(); else t._fire(this, slot);
    } catch (e) {
      this._report(e);
    }
    // Done with the slot unless the callback re-armed it (refreshTimeout from inside, as Node
    // allows). A done timer is marked dead at once, so that a later callback of this batch that
    // clears or refreshes its id finds nothing pending (the core frees it on its next call).
    if (this._stateOf(slot) >= ST_EMITTED) {
      const w = this._v._stateBase + (slot << 2);
      this._v._u32[w] |= ST_EMITTED_DEAD << STATE_SHIFT;
      if (this._targets[slot] === t) this._targets[slot] = undefined;
    }
    return true;
  }

  /** One pass in real time: every due timer, back to back. Returns how many fired. */
  private _pass(now: number): number {
    if (this._qLen !== 0 || this._fix.length !== 0) this._flush(now);
    const core = this._core;
    const tick = Math.floor(now);
    let fired = 0;
    this._inPass = true;
    try {
      for (let n = core.process(tick, 1); n > 0; n = core.process(tick, 0)) {
        for (let i = 0; i < n; i++) {
          if (this._dispatchAt(i)) fired++;
          if (this._closed) return fired;
        }
      }
    } finally {
      this._inPass = false;
    }
    return fired;
  }

  /** One pass on the test clock: like `_pass`, but microtasks run after each timer. */
  private async _stepPass(now: number): Promise<number> {
    if (this._qLen !== 0 || this._fix.length !== 0) this._flush(now);
    const core = this._core;
    const tick = Math.floor(now);
    let fired = 0;
    for (let n = core.process(tick, 1); n > 0; n = core.process(tick, 0)) {
      for (let i = 0; i < n; i++) {
        if (this._dispatchAt(i)) {
          fired++;
          await nextMacrotask();
        }
        if (this._closed) return fired;
      }
    }
    return fired;
  }

  private _onHost(): void {
    this._host = undefined;
    this._hostTick = Infinity;
    if (this._closed || this._paused) return;
    this._pass(this._readClock());
    this._sync();
  }

  /** Arms, re-arms or releases the host timer to match the wheel; sets its ref state. */
  private _sync(): void {
    if (this._closed) return;
    const core = this._core;
    if (this._paused) {
      if (this._autoAdvance && (core.pending() !== 0 || this._qLen !== 0)) this._queueAuto();
      return;
    }
    if (this._inPass) return; // the pass re-syncs when it ends
    const next = core.nextExpiration();
    if (next < 0 || core.pending() === 0) {
      // Nothing left but cancelled entries: no wake-up needed, and nothing keeps the host alive.
      this._disarm();
      return;
    }
    if (this._host === undefined || next < this._hostTick) {
      this._disarm();
      const delay = next - this._readClock();
      if (delay <= 0) {
        this._host = host.soon(this._hostFn);
        this._hostSoon = true;
      } else {
        this._host = host.set(this._hostFn, Math.min(Math.ceil(delay), 0x7fff_ffff));
        this._hostSoon = false;
      }
      this._hostTick = next;
      this._hostRef = true;
    }
    const keep = core.refs() > 0;
    if (keep !== this._hostRef) {
      host.ref(this._host, keep, this._hostSoon);
      this._hostRef = keep;
    }
  }

  private _disarm(): void {
    if (this._host !== undefined) {
      if (this._hostSoon) host.clearSoon(this._host); else host.clear(this._host);
      this._host = undefined;
    }
    this._hostTick = Infinity;
  }

  // ---- the test clock --------------------------------------------------------------------

  /** Freezes the clock at its current reading. */
  pause(): void {
    if (this._closed) throw new ShutdownError();
    if (this._paused) return;
    this._pausedNow = this._readClock();
    this._paused = true;
    this._disarm();
  }

  /** Lets the clock run again from where it stands. */
  resume(): void {
    if (this._closed) throw new ShutdownError();
    if (!this._paused) return;
    this._offset = this._pausedNow - (this._rawClock() - this._origin);
    this._last = this._pausedNow;
    this._paused = false;
    this._sync();
  }

  /**
   * Paused only: moves the clock forward by `ms`, stopping at each deadline on the way in
   * order, firing its timers one at a time and letting microtasks run after each.
   */
  advance(ms: number): Promise<void> {
    checkDelay('ms', ms);
    if (ms === Infinity) throw new RangeError('The "ms" argument must be finite. Received Infinity');
    if (this._closed) throw new ShutdownError();
    if (!this._paused) throw new Error('advance() needs a paused driver: create it with { paused: true } or call pause()');
    if (this._pausedNow + ms > CLOCK_LIMIT) {
      throw new RangeError(`The "ms" argument would take the clock past ${CLOCK_LIMIT} ms (274 years). Received ${ms}`);
    }
    return this._serial(() => this._advanceBy(ms));
  }

  /** Paused only: advances to each next deadline until no timer is pending. */
  runUntilIdle(): Promise<void> {
    if (this._closed) throw new ShutdownError();
    if (!this._paused) throw new Error('runUntilIdle() needs a paused driver: create it with { paused: true } or call pause()');
    return this._serial(() => this._runUntilIdle());
  }

  private _serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this._chain.then(fn);
    this._chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Moves the paused clock to each next deadline up to `target` (Infinity: until nothing is
   * pending), running one pass at each, at most `maxPasses` passes. Returns the passes run.
   */
  private async _drive(target: number, maxPasses: number): Promise<number> {
    let passes = 0;
    let lastTick = -1;
    let same = 0;
    while (passes < maxPasses) {
      if (this._closed) throw new ShutdownError();
      if (!this._paused) break;
      if (this._qLen !== 0 || this._fix.length !== 0) this._flush(this._pausedNow);
      // Idle means nothing pending: slots holding only cancelled entries do not count.
      if (this._core.pending() === 0) break;
      const next = this._core.nextExpiration();
      if (next < 0 || next > target) break;
      if (next > this._pausedNow) this._pausedNow = next;
      const tick = Math.floor(this._pausedNow);
      if (tick !== lastTick) {
        lastTick = tick;
        same = 0;
      } else if (++same >= SAME_INSTANT_PASSES) {
        break; // guarantee 9: the rest of this instant's re-arming is left for later
      }
      passes++;
      await this._stepPass(this._pausedNow);
    }
    return passes;
  }

  private async _advanceBy(ms: number): Promise<void> {
    const target = this._pausedNow + ms;
    await this._drive(target, Infinity);
    if (this._pausedNow < target) this._pausedNow = target;
    if (this._qLen !== 0 || this._fix.length !== 0) this._flush(this._pausedNow);
    this._sync();
  }

  private async _runUntilIdle(): Promise<void> {
    if (await this._drive(Infinity, IDLE_PASS_LIMIT) >= IDLE_PASS_LIMIT && this._core.pending() !== 0) {
      throw new RangeError(`runUntilIdle() gave up after ${IDLE_PASS_LIMIT} passes (a setInterval?)`);
    }
  }

  private _queueAuto(): void {
    if (this._autoQueued) return;
    this._autoQueued = true;
    host.soon(() => {
      this._autoQueued = false;
      if (this._closed || !this._paused) return;
      this._serial(async () => {
        await this._drive(Infinity, 1);
        this._sync();
      }).catch((e) => this._report(e));
    });
  }

  // ---- queries and lifecycle -------------------------------------------------------------

  /** The instant (a whole ms) at which the next pending timer fires, or undefined. */
  nextDeadline(): number | undefined {
    if (!this._closed) this._flushNow();
    const t = this._core.nextDeadline();
    return t < 0 ? undefined : t;
  }

  stats(): DriverStats {
    this._flushNow(); // levels describe the wheel with every registration in place
    const core = this._core;
    const levels: number[] = [];
    for (let l = 0; l < 6; l++) levels.push(core.levelSlots(l));
    return { pending: core.pending(), fired: this._fired, cancelled: this._cancelled, levels };
  }

  /**
   * Stops the driver: pending sleeps, timeouts, interval ticks and queue waits reject with
   * ShutdownError, façade callbacks never run, and scheduling throws ShutdownError afterwards.
   */
  shutdown(): void {
    if (this._closed) return;
    this._closed = true;
    this._disarm();
    const err = new ShutdownError();
    const targets = this._targets;
    this._targets = new Array(1024);
    this._delays = new Uint32Array(1024);
    this._bigDelays.clear();
    this._qLen = 0;
    this._fix = [];
    this._core.init(this._seed ^ 0x5bd1e995);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (t !== undefined && typeof t === 'object' && t._shutdown) {
        try { t._shutdown(err); } catch (e) { this._report(e); }
      }
    }
    for (const hook of this._shutdownHooks) {
      try { hook(err); } catch (e) { this._report(e); }
    }
    this._shutdownHooks.clear();
  }

  /** Whether shutdown() has been called. */
  get isShutdown(): boolean {
    return this._closed;
  }

  /** Whether the clock is frozen (paused). */
  get isPaused(): boolean {
    return this._paused;
  }
}

function outOfMemory(): RangeError {
  return new RangeError('tickwheel: at most 2^26 timers may be pending per driver');
}

const BOUND = [
  'now', 'entry', 'sleep', 'sleepUntil', 'timeout', 'timeoutAt', 'interval', 'intervalAt', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'refreshTimeout',
  'unrefTimeout', 'refTimeout', 'pause', 'resume', 'advance', 'runUntilIdle', 'nextDeadline',
  'stats', 'shutdown',
];
