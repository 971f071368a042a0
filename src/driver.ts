// The Driver: one wasm wheel, one host timer, and the JS side of every timer.
//
// HOW a timer lives
//   schedule ──► core._schedule (JS stores on the wasm memory, no call across: takes a slot
//            │   off the free list, stores the delay, returns the id; see src/wasm.ts)
//            └─► slot index written as a record into the core's IN window (the queue) + a
//                microtask "checkpoint"; clearTimeout / refreshTimeout outside callbacks
//                write records too (-id; id and NaN, the delay kept in the core's D array),
//                in order with the others
//   checkpoint ─► one clock reading; wasm `flush` works through the records in order: fixes
//                 deadlines against it and inserts the batch (as one list, in the slot of its
//                 earliest deadline), checks ids and cancels or re-arms; the host timer is
//                 re-armed if needed. (A burst that fills the window is flushed then, with
//                 its own reading.)
//   host timer ─► a pass: wasm `process` hands due slots out through the OUT window, a
//                 batch per call; JS runs each one's target (checking first that an earlier
//                 callback of the batch did not cancel or re-arm it), then asks again.
//
// WHY the queue: reading the clock costs more than arming a timer, and a deadline computed
// from a cached reading could fire early. The façade's delays are fixed at the checkpoint:
// one reading per batch, and the deadline is never earlier than "the moment of the call +
// delay" (later by whatever synchronous work follows the call). A reading taken before the
// checkpoint (now(), so also sleep and the rest of Tokio's API; nextDeadline()) fixes the
// queued façade delays on the spot. Tokio's API (sleep, timeout, DelayQueue, entries) reads the
// clock at the call instead, as Tokio does, and queues an absolute instant.
//
// What each slot holds on the JS side: `targets[slot]` is the callback itself for a plain
// `setTimeout` (no object per timer), or an object with `_fire` (façade timers with
// arguments or a period, sleeps, entries, intervals, delay queues).

import {
  BIG_DELAY, CLOCK_LIMIT, GEN_MASK, HORIZON, SEQ_LIMIT, SEQ_LO_BITS, SLOT_MASK, STATE_SHIFT, ST_EMITTED, ST_EMITTED_DEAD, ST_FREE, ST_LIVE,
  WINDOW,
} from './constants';

/** The tick bits in the high half of word A (its low 11 bits; the rest is seq). */
const LOW_TICK_BITS = (1 << (32 - SEQ_LO_BITS)) - 1;
import { ShutdownError, checkBoolean, checkCapacity, checkDelay, checkFunction, checkOptions } from './errors';
import { defaultClock, host, type Clock } from './time_source';
import { TimerEntry, encodeAt } from './entry';
import { makeInterval, makeIntervalAt, type Interval, type IntervalOptions } from './interval';
import { makeSleep, makeSleepUntil, type Sleep, type SleepOptions } from './sleep';
import { makeTimeout, makeTimeoutAt, type TimeoutOptions, type Work } from './timeout';
import { C_CAP, C_KILLED, C_LIVE, C_REFS, C_SEQ, C_SWEEPS, createCore, type Core, type WasmCore } from './wasm';

/** What a slot can hold: a plain callback or an object the driver fires. @internal */
export interface Target {
  /** Called when the timer is due. `slot` is where it lay (it may re-arm itself there). */
  _fire(driver: Driver, slot: number): void;
  /** Called by `shutdown()` for every pending target. */
  _shutdown?(err: ShutdownError): void;
}

/** Options of `new Driver(opts)`. */
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

/** What `driver.stats()` returns. */
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
  constructor(readonly _fn: (...a: unknown[]) => void, readonly _args: unknown[] | undefined, readonly _period: number) {}
  _fire(d: Driver, slot: number): void {
    const { _fn: fn, _args: args } = this;
    try {
      if (args === undefined) fn(); else fn(...args);
    } finally {
      // An interval re-arms itself unless its callback cleared (or re-armed) it, one period
      // after the whole ms its pass ran at (as Node counts from its loop's whole-ms clock taken
      // before the callback): a slow callback does not push later runs back, and a punctual
      // interval keeps its period exactly instead of losing the pass's fraction of a ms each time.
      if (this._period > 0 && d._targets[slot] === this) d._rearmSlot(slot, encodeAt(Math.floor(d._passNow) + this._period));
    }
  }
}

/**
 * One timer wheel (in wasm), one host timer, and the clock they run on. Every method is
 * bound, so `const { sleep, advance } = driver` works. The module-level functions use
 * `defaultDriver()`; make your own for a separate clock, a test clock (`paused`), or to
 * shut a group of timers down together.
 *
 * @example
 * ```ts
 * import { Driver } from 'tickwheel';
 * const d = new Driver({ paused: true });
 * let done = false;
 * d.sleep(3_600_000).then(() => { done = true; });
 * await d.advance(3_600_000);
 * done;     // true
 * d.now();  // 3600000
 * ```
 */
export class Driver {
  /** @internal */ _core: Core;
  /** @internal The core's wasm exports (one-letter names, see WasmCore). */ _w: WasmCore;
  /** @internal */ _targets: Array<Target | ((...a: unknown[]) => void) | undefined>;
  /**
   * @internal Façade delays the core's D array cannot hold (it holds whole ms below 2^32 - 1
   * for refreshTimeout): fractional ones and bigger ones, by slot, with BIG_DELAY in D. An
   * entry goes when a façade timer with a whole delay reuses its slot, or at shutdown; while
   * the map is empty, a refresh record lets the flush read D itself.
   */
  _bigDelays = new Map<number, number>();
  /**
   * @internal Records queued for the next flush, written straight into the core's IN window
   * (`_core._in`), in the order things happened: slots armed or re-armed, and the façade's
   * cancels (-id) and refreshes (id, then the delay or NaN for "the one in D") made outside
   * callbacks. A full window is flushed at once, so the queue never grows and never leaves
   * the cache.
   */
  _qLen = 0;
  /** @internal Cancel and refresh records queued: entry states are not final until they are flushed. */
  _ops = 0;
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
  /** The slot whose callback is running, or -1. */
  private _running = -1;
  private _paused: boolean;
  private _pausedNow = 0;
  private readonly _autoAdvance: boolean;
  /** The host's handle of the queued auto-advance step or due pass (see _queueAuto). */
  private _auto: unknown;
  private _chain: Promise<unknown> = Promise.resolve();
  private readonly _clock: Clock;
  private _origin: number;
  private _offset = 0;
  private _last = 0;
  private readonly _onError: ((err: unknown) => void) | undefined;
  private readonly _seed: number;

  /**
   * Edge cases:
   * - `paused: true`: the clock starts at exactly 0 and moves only by `advance` /
   *   `runUntilIdle` (or auto-advance). Timers already due at the frozen instant (a
   *   `sleep(0)`, a past `sleepUntil`, one re-armed for "now" by a callback) still run by
   *   themselves, in a pass of their own a macrotask later, as on Tokio's paused clock.
   *   After an `advance` by a fractional `ms`, the clock stands between two ticks: a timer
   *   due by its exact deadline there still waits for the clock to reach its whole tick.
   * - `autoAdvance`: the clock jumps from deadline to deadline (never to an instant where
   *   nothing is due); as with host timers, unref'd timers alone do not keep Node alive for it.
   * - `autoAdvance` without `paused` is ignored.
   * - A custom `clock` that goes backwards reads as standing still; one whose `now()`
   *   returns `NaN` or a non-number makes the driver throw `TypeError` when it reads it.
   * - With a custom `clock`, every delay counts from the clock's reading at the call, the
   *   façade's too (with the default clock the façade's count from the first reading
   *   after their call: `now()`, a sleep's, or the end of the synchronous run that armed
   *   them, one reading per batch; see the README).
   *
   * @throws TypeError if `opts` is not an object, `clock` has no `now()` method, `onError`
   * is not a function, `paused` or `autoAdvance` is not a boolean, or `initialCapacity` is
   * not a number.
   * @throws RangeError if `initialCapacity` is NaN or not from 0 to 2^26.
   *
   * @example
   * ```ts
   * const real = new Driver({ onError: (e) => log.error(e) });
   * const test = new Driver({ paused: true, autoAdvance: true });
   * const custom = new Driver({ clock: { now: () => Date.now() } });
   * ```
   */
  constructor(opts?: DriverOptions) {
    const o = checkOptions('opts', opts) as DriverOptions | undefined;
    const clock = o?.clock;
    if (clock !== undefined && (clock === null || typeof clock !== 'object' && typeof clock !== 'function' || typeof clock.now !== 'function')) {
      throw new TypeError('The "clock" option must be an object with a now() method');
    }
    if (o?.onError !== undefined) checkFunction('onError', o.onError);
    const cap = o?.initialCapacity;
    checkCapacity('initialCapacity', cap);
    const paused = checkBoolean('paused', o?.paused);
    const autoAdvance = checkBoolean('autoAdvance', o?.autoAdvance);
    this._clock = clock ?? defaultClock;
    this._onError = o?.onError;
    this._paused = !!paused;
    this._autoAdvance = !!autoAdvance && this._paused;
    this._seed = nextSeed();
    this._core = createCore(this._seed);
    this._w = this._core._w;
    const n = Math.max(1024, Math.ceil(cap ?? 0));
    this._targets = [];
    this._reserve(n);
    this._origin = this._rawClock();
    this._cpFn = () => this._checkpoint();
    this._hostFn = () => this._onHost();
    if (cap) {
      this._core._reserve(Math.ceil(cap));
      this._reserve(this._core._ctrl[C_CAP]);
    }

    // Every public method is bound, so `const { sleep, advance } = driver` works.
    for (const k of BOUND) (this as any)[k] = (this as any)[k].bind(this);
    if (clock !== undefined) {
      // A custom clock (a test's, a simulation's) may move between two calls of one
      // synchronous run: the façade fixes each delay at its call (a flush right after it),
      // as Node and Tokio count from the call. The default clock keeps the batch reading.
      for (const k of ['setTimeout', 'setInterval', 'refreshTimeout'] as const) {
        const f = this[k] as (...a: unknown[]) => unknown;
        (this as any)[k] = (...a: unknown[]) => {
          const r = f(...a);
          try {
            this._flushNow();
          } catch {
            // The clock failed: the record stays queued, and the checkpoint queued with it
            // reads the clock again and reports a failure through onError.
          }
          return r;
        };
      }
    }
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

  /**
   * The driver's clock in ms: monotonic, near 0 when the driver was created (exactly 0 if paused).
   *
   * Edge cases:
   * - Paused: returns the frozen reading (0 for a driver created paused) until `advance`.
   * - A custom clock that goes backwards: returns the highest value seen so far.
   * - It stops at 2^43 − 2^37 ms (about 274 years).
   * - Works after `shutdown()`.
   *
   * @example
   * ```ts
   * const d = new Driver({ paused: true });
   * d.now(); // 0
   * await d.advance(25);
   * d.now(); // 25
   * ```
   */
  now(): number {
    if (this._paused) return this._pausedNow;
    const t = this._readClock();
    // Someone read the clock: façade delays queued before this reading count from it (they
    // were armed before it, so never early), not from the later checkpoint. (The checkpoint
    // itself flushes through here: a full flush, which may sweep.)
    if (this._rel) this._flush(t);
    return t;
  }

  /** @internal Façade delays (relative, fixed by the flush) are queued. */
  _rel = false;

  // ---- Tokio's time API -----------------------------------------------------------------

  /**
   * A low-level timer armed at `deadline` (an instant of this driver's clock); see
   * {@link TimerEntry}.
   *
   * Edge cases: a past deadline fires in the next pass; `Infinity` or beyond now + horizon
   * is clamped to now + horizon.
   *
   * @throws TypeError if `deadline` is not a number.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const e = driver.entry(driver.now() + 100);
   * e.pollElapsed(() => wake()); // false; wake() runs in ~100 ms
   * ```
   */
  entry(deadline: number): TimerEntry {
    if (this._closed) throw new ShutdownError();
    return new TimerEntry(this, deadline);
  }

  /**
   * A {@link Sleep} that completes `ms` from now (Tokio's `sleep`).
   *
   * Edge cases:
   * - `0` completes in the next processing pass, never synchronously.
   * - `Infinity` or more than the horizon (2^36 − 1 ms): clamped to now + horizon.
   * - An already aborted `opts.signal`: rejected with `signal.reason` at once.
   *
   * @throws TypeError if `ms` is not a number, or `opts.ref` is not a boolean.
   * @throws RangeError if `ms` is `NaN` or negative.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const d = new Driver({ paused: true });
   * const s = d.sleep(100);
   * await d.advance(100);
   * s.isElapsed; // true
   * ```
   */
  sleep(ms: number, opts?: SleepOptions): Sleep {
    return makeSleep(this, ms, opts);
  }

  /**
   * A {@link Sleep} that completes once `now() >= deadline` (Tokio's `sleep_until`).
   *
   * Edge cases: a past instant completes in the next pass; `Infinity` or beyond
   * now + horizon is clamped to now + horizon; an aborted `opts.signal` rejects it at once.
   *
   * @throws TypeError if `deadline` is not a number.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * await driver.sleepUntil(driver.now() + 1_000);
   * ```
   */
  sleepUntil(deadline: number, opts?: SleepOptions): Sleep {
    return makeSleepUntil(this, deadline, opts);
  }

  /**
   * Settles like `work`, or rejects with {@link TimeoutError} if `ms` pass first (Tokio's
   * `timeout`). The timer is disarmed as soon as either side wins; the work is not stopped.
   *
   * Edge cases:
   * - `0`: the work has until the next processing pass; `Infinity` is clamped to the horizon.
   * - A function `work` is called synchronously; if it throws, the promise rejects with it.
   * - An already aborted `opts.signal`: rejects with `signal.reason`, work not started.
   * - A shutdown while it waits: rejects with `ShutdownError`.
   *
   * @throws TypeError if `ms` is not a number, or `work` is neither a thenable nor a function.
   * @throws RangeError if `ms` is `NaN` or negative.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const body = await driver.timeout(2_000, () => fetch(url).then((r) => r.text()));
   * ```
   */
  timeout<T>(ms: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
    return makeTimeout(this, ms, work, opts);
  }

  /**
   * Settles like `work`, or rejects with {@link TimeoutError} at the instant `deadline`
   * (Tokio's `timeout_at`).
   *
   * Edge cases: a past deadline gives the work until the next pass; `Infinity` is clamped
   * to now + horizon; `work`, `opts.signal` and shutdown as for `timeout`.
   *
   * @throws TypeError if `deadline` is not a number, or `work` is neither a thenable nor a function.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const end = driver.now() + 1_000;
   * await driver.timeoutAt(end, stepOne());
   * await driver.timeoutAt(end, stepTwo());
   * ```
   */
  timeoutAt<T>(deadline: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
    return makeTimeoutAt(this, deadline, work, opts);
  }

  /**
   * An {@link Interval} that ticks every `periodMs`, the first tick at once (Tokio's `interval`).
   *
   * Edge cases: an already aborted `opts.signal` makes every `tick()` reject with
   * `signal.reason`.
   *
   * @throws TypeError if `periodMs` is not a number, or `opts.missedTickBehavior` is not a string.
   * @throws RangeError if `periodMs` is `0`, negative, `NaN` or `±Infinity`, or
   * `opts.missedTickBehavior` is not `"burst"`, `"delay"` or `"skip"`.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const iv = driver.interval(100, { missedTickBehavior: 'skip' });
   * await iv.tick(); // at once
   * await iv.tick(); // 100 ms later
   * ```
   */
  interval(periodMs: number, opts?: IntervalOptions): Interval {
    return makeInterval(this, periodMs, opts);
  }

  /**
   * An {@link Interval} that ticks at `start`, then every `periodMs` (Tokio's `interval_at`).
   *
   * Edge cases: a past `start` makes the first tick due at once (resolving with `start`);
   * `Infinity` or beyond now + horizon is clamped to now + horizon.
   *
   * @throws TypeError if `start` or `periodMs` is not a number.
   * @throws RangeError if `start` is `NaN` or `-Infinity`, or `periodMs` is `0`, negative,
   * `NaN` or `±Infinity`.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const iv = driver.intervalAt(driver.now() + 50, 100);
   * await iv.tick(); // resolves with the start instant, 50 ms from now
   * ```
   */
  intervalAt(start: number, periodMs: number, opts?: IntervalOptions): Interval {
    return makeIntervalAt(this, start, periodMs, opts);
  }

  // ---- the Node/HTML-compatible façade ---------------------------------------------------

  /**
   * Like the global setTimeout: returns a positive integer id; `ms` is coerced as Node does.
   * Extra arguments are passed to `cb`, which is called with `this` undefined.
   *
   * Edge cases:
   * - `ms` → `Number(ms)`; `undefined`, `NaN` or `< 1` → 1 ms.
   * - Over 2^31 − 1 ms is honoured (not wrapped to 1 ms as in Node) up to the horizon,
   *   2^36 − 1 ms; longer delays and `Infinity` are clamped to it.
   *
   * @throws TypeError if `cb` is not a function.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const id = driver.setTimeout((a: number, b: number) => console.log(a + b), 10, 1, 2);
   * driver.clearTimeout(id);
   * ```
   */
  setTimeout<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
  setTimeout(cb: (...a: unknown[]) => void, ms?: unknown): number {
    // No array for the plain case: extra arguments are copied only when there are some.
    return this._facade(cb, ms, 0, arguments.length > 2 ? Array.prototype.slice.call(arguments, 2) : undefined);
  }

  /**
   * Like the global setInterval (the period is coerced as Node does: `undefined`, `NaN` or
   * `< 1` → 1 ms). Returns a positive integer id.
   *
   * Edge cases: a period over the horizon (2^36 − 1 ms), `Infinity` included, is clamped to
   * it; a callback that throws is reported and the interval keeps running. Each period counts
   * from the whole ms at which the pass running the callback started (as Node counts from its
   * loop's whole-ms clock), so a punctual interval keeps its period exactly and a slow callback
   * does not delay later runs; one that takes longer than a period makes the next run due at
   * once (in the next pass).
   *
   * @throws TypeError if `cb` is not a function.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const id = driver.setInterval(() => console.log('tick'), 1_000);
   * driver.clearInterval(id);
   * ```
   */
  setInterval<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
  setInterval(cb: (...a: unknown[]) => void, ms?: unknown): number {
    return this._facade(cb, ms, 1, arguments.length > 2 ? Array.prototype.slice.call(arguments, 2) : undefined);
  }

  private _facade(cb: (...a: unknown[]) => void, ms: unknown, repeat: number, args: unknown[] | undefined): number {
    if (typeof cb !== 'function') checkFunction('cb', cb);
    let d = Number(ms);
    if (!(d >= 1)) d = 1;
    if (repeat && d > HORIZON) d = HORIZON;
    // As _arm, written out: one call less on the hottest path (V8 did not inline the chain).
    if (this._closed) throw new ShutdownError();
    const id = this._core._schedule(d, 0);
    if (id < 0) throw outOfMemory();
    const slot = id & SLOT_MASK;
    if (slot >= this._targets.length) this._reserve(slot + 1);
    // A plain timeout stores its callback itself: no object per timer on this path.
    this._targets[slot] = repeat || args ? new FacadeCall(cb, args, repeat ? d : 0) : cb;
    this._push(slot, 0);
    this._rel = true;
    // Its delay, for refreshTimeout (counted from then, fraction and all): whole ms go into
    // the core's D array, others beside it (off this path: a bigger body here kept V8 from
    // inlining it, and arming cost ~6 ns more).
    const core = this._core;
    core._u32[core._delayBase + slot] = d < BIG_DELAY && d === Math.floor(d) && this._bigDelays.size === 0 ? d : this._bigDelay(slot, d);
    return id;
  }

  /** The D array's word for a façade delay `d` at `slot`, keeping the driver's map in step. */
  private _bigDelay(slot: number, d: number): number {
    if (d < BIG_DELAY && d === Math.floor(d)) {
      this._bigDelays.delete(slot);
      return d;
    }
    this._bigDelays.set(slot, d);
    return BIG_DELAY;
  }

  /**
   * Cancels a timeout. Anything but a pending id (undefined, stale, foreign, cleared twice) is a no-op.
   *
   * Edge cases: ids are generation-tagged, so a stale id never clears a newer timer; a
   * numeric string clears the id it spells (as Node and browsers accept); it never throws,
   * also after `shutdown()`.
   *
   * @example
   * ```ts
   * const id = driver.setTimeout(() => {}, 100);
   * driver.clearTimeout(id);
   * driver.clearTimeout(id);        // no-op
   * driver.clearTimeout(undefined); // no-op
   * ```
   */
  clearTimeout(id: number | undefined): void {
    if (typeof id !== 'number') return this._clearOther(id);
    const run = this._running;
    if (run < 0 && !this._closed) {
      // Outside callbacks a cancel is a record for the checkpoint's flush, which checks the id
      // and applies it in wasm: no entry access here, so a loop of cancels over many timers
      // overlaps its cache misses instead of waiting on each.
      if (id > SLOT_MASK) this._push(-id, 1);
      return;
    }
    // Inside a callback, at once. A timeout whose callback is running has fired: clearing it
    // counts for nothing (an interval's still stops: it is pending for its next period), but
    // it is cancelled all the same, so that no later refresh re-arms it.
    this._cancel(id, (id & SLOT_MASK) !== run || this._stateOf(run) !== ST_EMITTED || !!(this._targets[run] as FacadeCall)?._period);
  }

  /** A numeric string clears the id it spells, as Node and browsers accept; anything else is a no-op. */
  private _clearOther(id: unknown): void {
    if (typeof id === 'string' && id !== '') {
      const n = Number(id);
      if (n === n) this.clearTimeout(n);
    }
  }

  /**
   * Same as clearTimeout (ids are shared, as in browsers and Node).
   *
   * Edge cases: `undefined`, unknown, stale or already cleared ids are no-ops; it never
   * throws, also after `shutdown()`.
   *
   * @example
   * ```ts
   * const id = driver.setInterval(poll, 500);
   * driver.clearInterval(id);
   * ```
   */
  clearInterval(id: number | undefined): void {
    this.clearTimeout(id);
  }

  /**
   * Re-arms a pending timeout with its original delay, counted from now. Stale ids are ignored.
   *
   * Edge cases: a non-number, unknown, fired or cleared id is a no-op; the delay is the
   * coerced one (so 1 ms for a timer made with `0`).
   *
   * @throws ShutdownError for a numeric id after `shutdown()`.
   *
   * @example
   * ```ts
   * const id = driver.setTimeout(onIdle, 5_000);
   * driver.refreshTimeout(id); // 5 s from now again
   * ```
   */
  refreshTimeout(id: number): void {
    if (typeof id !== 'number') return;
    if (this._closed) throw new ShutdownError();
    // NaN: the delay the timer was armed with, which the flush reads from the core's D array
    // (no access to the timer's memory here: a loop of refreshes overlaps its cache misses).
    // Read here only when the core is called at once, or when a delay too big for D exists.
    let d = NaN;
    if (this._running >= 0 || this._bigDelays.size !== 0) {
      // Whatever this reads for an id that is not pending (stale, forged, out of range),
      // the core, which checks the id, ignores.
      const core = this._core;
      const slot = id & SLOT_MASK;
      d = core._u32[core._delayBase + slot];
      if (d === BIG_DELAY) d = this._bigDelays.get(slot) ?? HORIZON;
    }
    this._rel = true; // a relative delay waits in the queue either way
    if (this._running < 0) {
      // As clearTimeout: a record for the flush (which checks the id), then the delay (NaN:
      // the flush reads it from D).
      if (id > SLOT_MASK) this._pushRefresh(id, d);
      return;
    }
    if (this._w.e(id, d) < 0) return; // rearm
    this._push(id & SLOT_MASK, 0);
  }

  /**
   * This timer alone no longer keeps the Node process (or Deno/Bun) alive.
   *
   * Edge cases: a non-number, unknown or stale id is a no-op; so is a second call.
   *
   * @example
   * ```ts
   * driver.unrefTimeout(driver.setInterval(report, 60_000));
   * ```
   */
  unrefTimeout(id: number): void {
    this._setRef(id, false);
  }

  /**
   * Undoes unrefTimeout: the timer keeps the process alive again while pending.
   *
   * Edge cases: a non-number, unknown or stale id is a no-op; so is a timer already ref'd.
   *
   * @example
   * ```ts
   * driver.unrefTimeout(id);
   * driver.refTimeout(id);
   * ```
   */
  refTimeout(id: number): void {
    this._setRef(id, true);
  }

  // ---- internal API for sleeps, entries, intervals and queues ----------------------------

  /** @internal Arms `target` for an encoded delay (ms >= 0, or -(instant + 1)). Returns its id. */
  _arm(target: Target | ((...a: unknown[]) => void), enc: number, unref: boolean): number {
    if (this._closed) throw new ShutdownError();
    const id = this._core._schedule(enc, unref ? 1 : 0);
    if (id < 0) throw outOfMemory();
    const slot = id & SLOT_MASK;
    if (slot >= this._targets.length) this._reserve(slot + 1);
    this._targets[slot] = target;
    this._push(slot, 0);
    return id;
  }

  /** @internal Drops timer `id` of `target` (if pending) and arms a new one. */
  _rekey(id: number, target: Target, enc: number, unref: boolean): number {
    if (this._closed) throw new ShutdownError();
    if (id > 0) {
      const old = id & SLOT_MASK;
      if (this._targets[old] === target) this._targets[old] = undefined;
    }
    this._w.k(id); // cancel
    return this._arm(target, enc, unref);
  }

  /**
   * @internal Re-arms pending timer `id` in place, for a deadline no earlier than its current
   * one (the core moves it on lazily). Returns false when `id` is not pending. Outside
   * callbacks it is a refresh record, as refreshTimeout's (its cache misses overlap those of
   * the records around it), and returns true: the caller knows its timer is pending.
   */
  _rearm(id: number, enc: number): boolean {
    if (this._running < 0) {
      this._pushRefresh(id, enc);
      return true;
    }
    const slot = this._w.e(id, enc); // rearm
    if (slot < 0) return false;
    this._push(slot, 0);
    return true;
  }

  /**
   * @internal Cancels timer `id`. `count` says whether it counts as a cancellation in stats
   * (a reset that drops the old timer does not). Returns whether it was pending.
   */
  _cancel(id: number, count: boolean): boolean {
    const slot = this._w.k(id); // cancel
    if (slot < 0) return false;
    this._targets[slot] = undefined;
    if (count) this._cancelled++;
    this._touch();
    return true;
  }

  /** @internal Keeps (or stops keeping) the host alive for timer `id`. */
  _setRef(id: number, on: boolean): void {
    if (typeof id !== 'number') return;
    if (this._ops !== 0) this._flushNow(); // a queued cancel of `id` comes first
    if (this._w.u(id, on ? 1 : 0)) this._touch(); // setRef
  }

  /** @internal Re-arms the timer that was just handed out at `slot` (an interval's next period). */
  _rearmSlot(slot: number, enc: number): void {
    if (this._closed) return;
    if (this._w.e(this._idAt(slot), enc) >= 0) this._push(slot, 0); // rearm
  }

  /** @internal The id that currently names `slot` (read from the entry's generation). */
  _idAt(slot: number): number {
    const v = this._core;
    return (v._u32[v._stateBase + slot] & GEN_MASK) * (SLOT_MASK + 1) + slot;
  }

  /** @internal Fixes every queued deadline now (someone asked for one). */
  _flushNow(): void {
    if (this._closed) return;
    if (this._qLen !== 0) this._flush(this.now());
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

  // ---- the record queue and the checkpoint -----------------------------------------------

  /** Appends record `r` to the queue; `op` 1 marks a cancel or refresh record. */
  private _push(r: number, op: number): void {
    // Keeps one record free: a refresh writes its delay right after its id.
    if (this._qLen >= WINDOW - 1) this._flushFull();
    this._core._in[this._qLen++] = r;
    this._ops += op;
    this._touch();
  }

  /** Appends a refresh record: `id`, then `enc` (NaN: the delay in the core's D array). */
  private _pushRefresh(id: number, enc: number): void {
    this._push(id, 1);
    this._core._in[this._qLen++] = enc; // _push leaves room for it
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
    try {
      if (this._qLen !== 0) this._flush(this.now());
      else this._w.f(0, 0); // flush nothing (no clock read): lets the core sweep dead entries
      if (this._core._ctrl[C_SWEEPS] !== this._sweeps) this._dropFreed();
      this._sync();
    } catch (e) {
      this._clockFailed(e);
    }
  }

  /** Sweeps seen by `_dropFreed`. */
  private _sweeps = 0;

  /**
   * Forgets the callbacks of free slots: clearTimeout leaves its callback in place, and once
   * the core has swept, one linear pass lets them all go (a cancelled callback is held at most
   * until the next sweep or until its slot is reused).
   */
  private _dropFreed(): void {
    const core = this._core;
    this._sweeps = core._ctrl[C_SWEEPS];
    const t = this._targets;
    const u = core._u32;
    const base = core._stateBase;
    for (let i = 0, n = core._ctrl[C_CAP]; i < n; i++) {
      // The state alone, and a store whatever the slot held: reading the callback first cost
      // more than writing undefined over one that is already gone (1.5 ns per slot at 10^6).
      if ((u[base + i] >>> STATE_SHIFT & 7) === ST_FREE) t[i] = undefined;
    }
  }

  /** A custom clock failed (returned NaN, threw): report it and try again shortly. */
  private _clockFailed(e: unknown): void {
    this._report(e);
    host.set(() => this._touch(), 10);
  }

  /**
   * The IN window is full in the middle of a burst: flush it now (a clock reading per WINDOW
   * operations costs nothing). Deadlines fixed here are fixed at a reading taken after every
   * operation queued, so never early. If the clock fails, its last reading stands in (the
   * driver's own clock still reads it: timers fire by that clock, so never early either);
   * the checkpoint reports the failure.
   */
  private _flushFull(): void {
    let now: number;
    try {
      now = this.now();
    } catch {
      now = this._last;
    }
    this._flush(now, 1);
  }

  /**
   * Applies every queued record against `now`, in order: fixes deadlines, cancels, refreshes.
   * `more` (1) says the burst goes on: the core sweeps dead entries only at the checkpoint.
   */
  private _flush(now: number, more = 0): void {
    const core = this._core;
    const n = this._qLen;
    if (n !== 0) {
      if (core._ctrl[C_SEQ] + n >= this._seqLimit) this._renumber(); // seq is below 2^25: no sign
      this._w.f(now, n, this._ops === 0 ? more | 2 : more); // flush; 2: no cancel or refresh records
      this._qLen = 0;
      this._rel = false;
      this._ops = 0;
      this._cancelled += core._ctrl[C_KILLED];
      core._ctrl[C_KILLED] = 0;
    }
  }

  /** @internal The clock reading the running (or last) pass started from. */
  _passNow = 0;

  /** @internal Renumbering threshold (tests lower it to exercise the path). */
  _seqLimit = SEQ_LIMIT;

  /**
   * Sequence numbers are running out: renumber the live entries 0, 1, 2, … keeping their
   * order. A rare path (at most once per 2^24 arming operations: before a pass once that
   * frees half the range, or at a flush that reaches its end; see _beginPass), done here rather than in
   * wasm to keep the core small; it reads and writes the seq bits of the entry layout that
   * assembly/entry.ts draws (must match it): seq = (word A bits 43..63) | (word B bits 28..31) << 21.
   */
  private _renumber(): void {
    const v = this._core;
    const u32 = v._u32;
    const hi = v._base + 1; // u32 index of entry 0's word A, high half
    const b = v._stateBase; // u32 index of entry 0's word B
    // (seq, slot) of every live entry as one number, seq * 2^26 + slot: sorting them sorts by seq.
    const keys: number[] = [];
    for (let i = 0, n = v._ctrl[C_CAP]; i < n; i++) {
      if (((u32[b + i] >>> STATE_SHIFT) & 7) === ST_LIVE) {
        keys.push(((u32[hi + 2 * i] >>> (32 - SEQ_LO_BITS)) | ((u32[b + i] >>> 28) << SEQ_LO_BITS)) * (SLOT_MASK + 1) + i);
      }
    }
    const sorted = Float64Array.from(keys).sort();
    for (let k = 0; k < sorted.length; k++) {
      const i = sorted[k] & SLOT_MASK;
      u32[hi + 2 * i] = (u32[hi + 2 * i] & LOW_TICK_BITS) | ((k << (32 - SEQ_LO_BITS)) >>> 0);
      u32[b + i] = (u32[b + i] & 0x0fff_ffff) | ((k >>> SEQ_LO_BITS) << 28);
    }
    v._ctrl[C_SEQ] = sorted.length;
  }

  /** Grows the JS side to hold `slots` slots (wasm grows itself). */
  private _reserve(slots: number): void {
    const t = this._targets;
    let n = t.length;
    while (n < slots) n += Math.max(1024, n >> 3);
    // Filled with undefined, not holes: V8 stores into a packed array faster (about 5 ns
    // per setTimeout at 10^5 timers). Growth by 1/8 keeps the slack small.
    while (t.length < n) t.push(undefined);
  }

  // ---- passes ------------------------------------------------------------------------------

  /** The state of entry `slot`, read from the wasm memory view (refreshed if memory grew). */
  private _stateOf(slot: number): number {
    const v = this._core;
    return (v._u32[v._stateBase + slot] >>> STATE_SHIFT) & 7;
  }

  /** Runs the target handed out at OUT[i] unless an earlier callback cancelled or re-armed it. */
  private _dispatchAt(i: number): boolean {
    // No queued cancel or refresh can be pending here: inside callbacks they are made at once,
    // and the test clock lets a macrotask turn pass between two timers, in which the
    // checkpoint (queued with them) flushes them.
    const slot = this._core._out[i];
    const t = this._targets[slot];
    if (t === undefined || this._stateOf(slot) !== ST_EMITTED) return false;
    this._fired++;
    this._running = slot;
    try {
      if (typeof t === 'function') t(); else t._fire(this, slot);
    } catch (e) {
      this._report(e);
    }
    this._running = -1;
    // Done with the slot unless the callback re-armed it (refreshTimeout from inside, as Node
    // allows). A done timer is marked dead at once, so that a later callback of this batch that
    // clears or refreshes its id finds nothing pending (the core frees it on its next call).
    if (this._stateOf(slot) >= ST_EMITTED) {
      const w = this._core._stateBase + slot;
      this._core._u32[w] |= ST_EMITTED_DEAD << STATE_SHIFT;
      if (this._targets[slot] === t) this._targets[slot] = undefined;
    }
    return true;
  }

  /**
   * Before a pass: every record flushed, and sequence numbers renumbered once that frees half
   * their range. The core marks what a pass re-arms by a sequence number it takes when the
   * pass begins; a renumbering inside the pass (a flush that reaches the limit) would lose
   * that mark and could hand out a timer re-armed while it waited, early. Renumbering here
   * leaves any one pass at least half the range, less the live timers (renumbered from 0),
   * and happens at most once per half range of arming operations.
   */
  private _beginPass(now: number): void {
    if (this._qLen !== 0) this._flush(now);
    this._passNow = now;
    const c = this._core._ctrl;
    if (c[C_SEQ] - c[C_LIVE] >= this._seqLimit / 2) this._renumber();
    // Until the pass ends, no other pass may begin (_sync arms no host timer): one that began
    // from a host timer while a test-clock pass waits for its macrotask (resume() from one of
    // its callbacks) would free the entries this one has handed out but not yet run.
    // Nothing throws out of a pass (callbacks' errors are reported), so no finally is needed;
    // a shutdown in the middle leaves it set, which no longer matters.
    this._inPass = true;
  }

  /** One pass in real time: every due timer, back to back. */
  private _pass(now: number): void {
    this._beginPass(now);
    for (let n = this._w.p(now, 1); n > 0; n = this._w.p(now, 0)) {
      for (let i = 0; i < n; i++) {
        this._dispatchAt(i);
        if (this._closed) return;
      }
    }
    this._inPass = false;
  }

  /**
   * One pass on the test clock: like `_pass`, but a macrotask passes after each timer (so
   * microtasks run). `keep`: whether that macrotask keeps the host alive (in the driver's own
   * passes only while a ref'd timer is pending, as a host timer would).
   */
  private async _stepPass(now: number, keep: boolean): Promise<void> {
    this._beginPass(now);
    for (let n = this._w.p(now, 1); n > 0; n = this._w.p(now, 0)) {
      for (let i = 0; i < n; i++) {
        if (this._dispatchAt(i)) await new Promise<void>((r) => host.ref(host.soon(r), keep, true));
        if (this._closed) return;
      }
    }
    this._inPass = false;
  }

  private _onHost(): void {
    this._host = undefined;
    this._hostTick = Infinity;
    if (this._closed || this._paused) return;
    let now: number;
    try {
      now = this._readClock();
    } catch (e) {
      return this._clockFailed(e);
    }
    this._pass(now);
    this._sync();
  }

  /** Arms, re-arms or releases the host timer to match the wheel; sets its ref state. */
  private _sync(): void {
    if (this._closed) return;
    const core = this._core;
    if (this._paused) {
      if (core._ctrl[C_LIVE] === 0 && this._qLen === 0) return;
      if (!this._autoAdvance) {
        // The clock stands still, but what is already due still runs (in a pass of its own,
        // a macrotask later), as on Tokio's paused clock: `await sleep(0)` completes.
        this._flushNow();
        // Where the wheel has work next (cheap) first; then whether a timer is due by its tick.
        let next = this._w.x(); // nextExpiration
        if (next < 0 || next > this._pausedNow || (next = this._w.d()) < 0 || next > this._pausedNow) return;
      }
      this._queueAuto();
      return;
    }
    if (this._inPass) return; // the pass re-syncs when it ends
    const next = this._w.x(); // nextExpiration
    if (next < 0 || core._ctrl[C_LIVE] === 0) {
      // Nothing left but cancelled entries: no wake-up needed, and nothing keeps the host alive.
      this._disarm();
      return;
    }
    if (this._host === undefined || next < this._hostTick) {
      let delay: number;
      try {
        delay = next - this._readClock();
      } catch (e) {
        return this._clockFailed(e); // reported; retried shortly
      }
      this._disarm();
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
    const keep = core._ctrl[C_REFS] > 0;
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

  /**
   * Freezes the clock at its current reading, rounded up to a whole ms (Tokio's
   * `time::pause`); host timers stop.
   *
   * Edge cases: a no-op on a driver that is already paused. The rounding (less than 1 ms
   * forward) lets what is due at the frozen instant run: the wheel's ticks are whole ms.
   *
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * driver.pause();
   * const t = driver.now();
   * await driver.advance(10);
   * driver.now() === t + 10; // true
   * ```
   */
  pause(): void {
    if (this._closed) throw new ShutdownError();
    if (this._paused) return;
    // A whole ms, so that what is due at the frozen instant can run (ticks are whole ms).
    this._pausedNow = Math.ceil(this._readClock());
    this._paused = true;
    this._disarm();
    this._sync(); // with autoAdvance: timers already pending start it
  }

  /**
   * Lets the clock run again from where it stands (time spent paused is not counted).
   *
   * Edge cases: a no-op on a driver that is not paused.
   *
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const d = new Driver({ paused: true });
   * await d.advance(100);
   * d.resume(); // real time again, from 100
   * ```
   */
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
   * Calls are serialized: a second `advance` starts when the first has finished.
   *
   * Edge cases:
   * - `0` runs the timers due at the current instant.
   * - Timers that re-arm themselves for the instant being processed (a `while (…) await
   *   sleep(0)` loop) get 1000 passes at it; then the clock moves on to the next deadline
   *   (where they fire again), and once none is left before the target, `advance` returns
   *   and they go on in the driver's own passes, a macrotask apart (as anything due at the
   *   frozen instant does). So it never spins, and every other timer still fires at its deadline.
   * - Bad arguments and a wrong state are thrown synchronously, not as rejections.
   *
   * @throws TypeError if `ms` is not a number.
   * @throws RangeError if `ms` is `NaN`, negative or `Infinity`, or would take the clock
   * past 2^43 − 2^37 ms (about 274 years).
   * @throws Error if the driver is not paused.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const d = new Driver({ paused: true });
   * const log: number[] = [];
   * d.setTimeout(() => log.push(d.now()), 30);
   * await d.advance(100);
   * log; // [30]
   * d.now(); // 100
   * ```
   */
  advance(ms: number): Promise<void> {
    checkDelay('ms', ms);
    this._checkEnd(ms);
    this._checkPaused('advance');
    return this._serial(() => this._advanceBy(ms));
  }

  /**
   * Paused only: advances to each next deadline until no timer is pending.
   *
   * Edge cases:
   * - Returns at once when nothing is pending; an idle `Interval` (no pending `tick()`)
   *   does not count as pending.
   * - Work that never ends rejects with `RangeError`: a `setInterval` after 1,000,000 passes,
   *   timers that keep re-arming themselves for one instant once no other deadline is left
   *   (after 1000 passes at each instant, as in `advance`).
   *
   * @throws Error if the driver is not paused.
   * @throws ShutdownError after `shutdown()`.
   *
   * @example
   * ```ts
   * const d = new Driver({ paused: true });
   * d.setTimeout(() => d.setTimeout(() => {}, 500), 1_000);
   * await d.runUntilIdle();
   * d.now(); // 1500
   * ```
   */
  runUntilIdle(): Promise<void> {
    this._checkPaused('runUntilIdle');
    return this._serial(() => this._runUntilIdle());
  }

  private _serial<T>(fn: () => Promise<T>): Promise<T> {
    this._serials++;
    // The last one done hands over to the passes the driver runs by itself (see _sync).
    const p = this._chain.then(fn).finally(() => --this._serials || this._sync());
    this._chain = p.catch(() => undefined);
    return p;
  }

  /** advance / runUntilIdle / auto-advance steps queued or running. */
  private _serials = 0;

  /**
   * Moves the paused clock to each next deadline up to `target` (Infinity: until nothing is
   * pending), running one pass at each, at most `maxPasses` passes. Returns the passes run.
   * `spin` counts the passes run at one instant (auto-advance keeps it from step to step).
   */
  private async _drive(target: number, maxPasses: number, spin = { tick: -1, same: 0 }): Promise<number> {
    let passes = 0;
    this._spun = false;
    while (passes < maxPasses) {
      if (this._closed) throw new ShutdownError();
      if (!this._paused) break;
      this._flushNow(); // paused: at the frozen instant
      // Idle means nothing pending: slots holding only cancelled entries do not count.
      if (this._core._ctrl[C_LIVE] === 0) break;
      // The exact next tick, not where the wheel has work next (the start of a slot above
      // level 0, which the pass there cascades): the clock stops only at deadlines.
      const next = this._w.d(); // nextDeadline
      if (next < 0 || next > target) break;
      // Driving without a target (runUntilIdle, auto-advance): never past the end of the
      // clock. (advance checked its target.)
      if (next > CLOCK_LIMIT) throw new RangeError("the next deadline is past the clock's end (274 years)");
      if (next > this._pausedNow) this._pausedNow = next;
      const tick = Math.floor(this._pausedNow);
      if (tick !== spin.tick) {
        spin.tick = tick;
        spin.same = 0;
      } else if (++spin.same >= SAME_INSTANT_PASSES) {
        // Guarantee 9: what keeps re-arming itself for this instant waits; the clock moves on
        // to the next deadline after it (those timers fire there too, and may spin again).
        spin.same = 0;
        const after = this._nextTickAfter(tick);
        if (after >= 0 && after <= target) {
          this._pausedNow = spin.tick = after;
        } else if (spin !== this._autoSpin) {
          this._spun = true; // advance / runUntilIdle: left for later, or an error
          break;
        } // auto-advance: nothing else is due, so the spinning timers go on (as in Tokio)
      }
      passes++;
      await this._stepPass(this._pausedNow, spin !== this._autoSpin || this._core._ctrl[C_REFS] > 0);
    }
    // advance: nothing left up to the target, so the clock goes there, in the same microtask
    // as that check (a timer armed in between would otherwise be passed over).
    if (target < Infinity && this._paused && this._pausedNow < target) this._pausedNow = target;
    return passes;
  }

  private async _advanceBy(ms: number): Promise<void> {
    this._checkPaused('advance');
    this._checkEnd(ms); // again: an advance queued behind others starts where they left the clock
    const target = this._pausedNow + ms;
    await this._drive(target, Infinity);
    this._flushNow(); // at the paused instant, or the clock's reading if resume() came meanwhile
  }

  private async _runUntilIdle(): Promise<void> {
    this._checkPaused('runUntilIdle');
    const passes = await this._drive(Infinity, IDLE_PASS_LIMIT);
    if ((passes >= IDLE_PASS_LIMIT || this._spun) && this._core._ctrl[C_LIVE] !== 0) {
      throw new RangeError(this._spun
        ? 'runUntilIdle() gave up: timers keep re-arming for one instant'
        : `runUntilIdle() gave up after ${IDLE_PASS_LIMIT} passes (a setInterval?)`);
    }
  }

  /** advance(ms) may not take the paused clock past CLOCK_LIMIT (Infinity included). */
  private _checkEnd(ms: number): void {
    if (this._pausedNow + ms > CLOCK_LIMIT) {
      throw new RangeError(`The "ms" argument would take the clock past its end (274 years). Received ${ms}`);
    }
  }

  /**
   * ShutdownError after shutdown; Error on a driver that is not paused, also for a call
   * queued behind others when resume() came first.
   */
  private _checkPaused(what: string): void {
    if (this._closed) throw new ShutdownError();
    if (!this._paused) throw new Error(`${what}() needs a paused driver (see pause())`);
  }

  /** Set by `_drive` when it stopped at an instant whose timers kept re-arming for it. */
  private _spun = false;

  /**
   * The smallest tick after `tick` at which a pending timer is due, or -1. O(capacity): only
   * for the rare instant at which timers keep re-arming themselves (guarantee 9).
   */
  private _nextTickAfter(tick: number): number {
    this._flushNow();
    let best = Infinity;
    for (let i = 0, n = this._core._ctrl[C_CAP]; i < n; i++) {
      const t = this._liveTick(i);
      if (t > tick && t < best) best = t;
    }
    return best === Infinity ? -1 : best;
  }

  /**
   * The tick of entry `i` if it is a pending timer with a fixed tick (LIVE), else -1. Reads
   * word A as assembly/entry.ts lays it out: tick = low 43 bits.
   */
  private _liveTick(i: number): number {
    if (this._stateOf(i) !== ST_LIVE) return -1;
    const u = this._core._u32;
    const a = this._core._base + 2 * i;
    return (u[a + 1] & LOW_TICK_BITS) * 2 ** 32 + u[a];
  }

  /** Passes auto-advance ran at one instant, across its steps (see _drive). */
  private _autoSpin = { tick: -1, same: 0 };

  private _queueAuto(): void {
    this._auto ??= host.soon(() => {
      this._auto = undefined;
      // While advance / runUntilIdle work is queued or running, that work runs what is due;
      // the last of it calls _sync again when it is done.
      if (this._closed || !this._paused || this._serials) return;
      this._serial(async () => {
        // Without autoAdvance, only the timers due at the frozen instant.
        await this._drive(this._autoAdvance ? Infinity : this._pausedNow, 1, this._autoSpin);
      }).catch((e) => this._closed || this._report(e)); // a shutdown in the middle of the pass is no error
    });
    // As a host timer would: only ref'd timers keep the host alive for it.
    host.ref(this._auto, this._core._ctrl[C_REFS] > 0, true);
  }

  // ---- queries and lifecycle -------------------------------------------------------------

  /**
   * The instant at which the next pending timer fires (a whole ms: its tick), or undefined.
   *
   * Edge cases: `undefined` when nothing is pending and after `shutdown()` (it does not
   * throw); a fractional deadline reads rounded up to its tick; a timer already due (armed
   * for a past instant) reads as `now()`, so `advance(nextDeadline() - now())` always works.
   *
   * @example
   * ```ts
   * const d = new Driver({ paused: true });
   * d.nextDeadline(); // undefined
   * d.sleep(10.2);
   * d.nextDeadline(); // 11
   * ```
   */
  nextDeadline(): number | undefined {
    if (this._closed) return undefined;
    this._flushNow();
    const t = this._w.d(); // nextDeadline
    // A timer whose tick has passed fires in the next pass: at the clock's reading, not before.
    return t < 0 ? undefined : Math.max(t, this.now());
  }

  /**
   * Counters of this driver: `pending`, `fired`, `cancelled` and `levels`: for each of the
   * wheel's 6 levels, how many of its 64 slots hold a pending timer (level L slots span 64^L ms).
   *
   * Edge cases: resets and no-op clears count as neither fired nor cancelled; a timer counts
   * in the level that holds it relative to the last tick the wheel processed (one that fell
   * due during synchronous work counts where it was placed until the next pass takes it);
   * works after `shutdown()` (nothing is pending then). It
   * walks every timer slot (O(capacity)): a diagnostic, not for a hot loop.
   *
   * @example
   * ```ts
   * const id = driver.setTimeout(() => {}, 100);
   * driver.clearTimeout(id);
   * driver.stats(); // { pending: 0, fired: 0, cancelled: 1, levels: [0, 0, 0, 0, 0, 0] }
   * ```
   */
  stats(): DriverStats {
    this._flushNow(); // every registration with its tick fixed
    return { pending: this._core._ctrl[C_LIVE], fired: this._fired, cancelled: this._cancelled, levels: this._levels() };
  }

  /**
   * The slots the pending timers belong to, level by level. Computed from the timers rather
   * than read from the wheel's bitfields: a batch of registrations waits in the slot of its
   * earliest deadline and cancelled entries leave their lists lazily, so the bitfields show
   * where the work is, not where each timer belongs.
   */
  private _levels(): number[] {
    const elapsed = this._w.t(); // elapsedTick
    const slots = new Set<number>(); // level * 64 + slot
    for (let i = 0, n = this._core._ctrl[C_CAP]; i < n; i++) {
      // Fixed ticks only: a timer re-armed but not yet flushed (after a shutdown) holds a delay.
      const tick = this._liveTick(i);
      if (tick < 0) continue;
      // The lowest level whose current rotation (64^(L+1) ticks) holds the tick: the same
      // rule as the core's levelFor. Due ticks count in level 0; beyond the horizon, level 5.
      let l = 0;
      while (l < 5 && tick > elapsed && Math.floor(tick / 64 ** (l + 1)) !== Math.floor(elapsed / 64 ** (l + 1))) l++;
      slots.add(l * 64 + Math.floor(tick / 64 ** l) % 64);
    }
    const levels = [0, 0, 0, 0, 0, 0];
    for (const k of slots) levels[k >> 6]++;
    return levels;
  }

  /**
   * Stops the driver: pending sleeps, timeouts, interval ticks and queue waits reject with
   * ShutdownError, façade callbacks never run, and scheduling throws ShutdownError afterwards.
   *
   * Edge cases:
   * - Idempotent: a second call is a no-op.
   * - Afterwards `now`, `stats`, `nextDeadline`, `clearTimeout` and `clearInterval` still
   *   work; scheduling, `entry`, `pause`, `resume`, `advance` and `runUntilIdle` throw
   *   `ShutdownError`.
   * - Rejections nobody awaits are not reported as unhandled.
   *
   * @example
   * ```ts
   * const d = new Driver();
   * const s = d.sleep(1_000);
   * d.shutdown();
   * await s.catch((e) => e.name); // "ShutdownError"
   * d.isShutdown;                 // true
   * ```
   */
  shutdown(): void {
    if (this._closed) return;
    if (this._ops !== 0) this._flush(this._last); // queued cancels count in stats()
    this._closed = true;
    this._disarm();
    const err = new ShutdownError();
    const targets = this._targets;
    this._targets = [];
    this._reserve(1024);
    this._bigDelays.clear();
    this._qLen = 0;
    this._ops = 0;
    this._w.i(this._seed ^ 0x5bd1e995); // init
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

  /**
   * Whether shutdown() has been called.
   *
   * @example
   * ```ts
   * if (!driver.isShutdown) driver.setTimeout(retry, 1_000);
   * ```
   */
  get isShutdown(): boolean {
    return this._closed;
  }

  /**
   * Whether the clock is frozen (paused), by the `paused` option or `pause()`.
   *
   * @example
   * ```ts
   * new Driver({ paused: true }).isPaused; // true
   * ```
   */
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
