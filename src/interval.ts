// Interval: Tokio's `interval` / `interval_at`, ticking on demand.
//
// The state is one number, `_next`: the instant the next tick is scheduled for (Tokio keeps
// it as the deadline of the Interval's inner Sleep). Taking a tick returns `_next` and moves
// it on, reading the clock once:
//
//   now <= next + 5 ms (on time) ──► next + period
//   now >  next + 5 ms (missed)  ──► burst: next + period               (catch up, tick by tick)
//                                    delay: now + period                (restart from now)
//                                    skip:  now + period - (now - next) % period
//                                                                      (the next multiple of period)
//
//   t0 = start    t1          t2          t3    now    t4          t5
//   ──┼───────────┼───────────┼───────────┼──────┼─────┼───────────┼──►
//   tick t1 taken 2.5 periods late (now = t1 + 2.5 p), then tick() again and again:
//     burst ─ t1, t2, t3 at once; then t4, t5 … on schedule
//     delay ─ t1 at once; then now + p, now + 2p …
//     skip  ─ t1 at once; then t4, t5 … (the missed t2, t3 are skipped)
//
// A timer is armed only while someone waits in tick(): a tick that is already due resolves
// without the wheel (in a microtask), and an idle Interval holds no wheel entry, so it never
// keeps runUntilIdle (or the process) going. Waiters queue up and take successive ticks in
// call order; when the timer fires it hands out every tick that is due, then re-arms for
// the next one if anyone is still waiting.

import { HORIZON } from './constants';
import type { Driver, Target } from './driver';
import { clampAt, encodeAt } from './entry';
import {
  ShutdownError, abortError, checkDeadline, checkDelay, checkOptions, checkPeriod, checkSignal, signalReason,
} from './errors';
import { deferred, quiet, rejectQuietly, type Deferred } from './sleep';

/**
 * What an Interval does when `tick()` is called more than 5 ms after a tick was due (Tokio's):
 * `"burst"` (default) delivers the missed ticks at once, `"delay"` restarts the schedule from
 * now, `"skip"` jumps to the next multiple of the period.
 *
 * Edge cases: any other value is a `TypeError` (not a string) or `RangeError`; a tick up to
 * 5 ms late is not missed.
 *
 * @example
 * ```ts
 * import { interval, MissedTickBehavior } from 'tickwheel';
 * const iv = interval(100, { missedTickBehavior: MissedTickBehavior.Skip }); // or 'skip'
 * ```
 */
export type MissedTickBehavior = 'burst' | 'delay' | 'skip';
/** The three behaviors as a frozen object: `Burst`, `Delay`, `Skip`. */
export const MissedTickBehavior = Object.freeze({ Burst: 'burst', Delay: 'delay', Skip: 'skip' } as const);

export interface IntervalOptions {
  /** Default `"burst"`. */
  missedTickBehavior?: MissedTickBehavior;
  /**
   * Aborting it stops the interval: ticks still waiting for their instant, and later ones,
   * reject with `signal.reason` (a tick already due when `tick()` was called was taken then).
   */
  signal?: AbortSignal;
}

/** A tick counts as missed only when it is taken more than this late (Tokio's grace). */
const MISSED_GRACE = 5;

function checkBehavior(name: string, v: unknown): MissedTickBehavior {
  if (v === 'burst' || v === 'delay' || v === 'skip') return v;
  if (typeof v !== 'string') {
    throw new TypeError(`The "${name}" option must be "burst", "delay" or "skip". Received ${v === null ? 'null' : typeof v}`);
  }
  throw new RangeError(`The "${name}" option must be "burst", "delay" or "skip". Received ${JSON.stringify(v)}`);
}

/**
 * Ticks every `period` ms (Tokio's `Interval`), made by `interval` / `intervalAt`. The first
 * tick completes at once (at `start` for `intervalAt`). It arms a timer only while a
 * `tick()` is pending, so an idle Interval does not keep `runUntilIdle` (or Node) running.
 *
 * Edge cases:
 * - A tick due or overdue when `tick()` is called resolves in a microtask, without waiting.
 * - Concurrent `tick()` calls resolve in order with successive ticks.
 * - After dispose, an abort or a shutdown, every `tick()` rejects (AbortError,
 *   `signal.reason`, `ShutdownError`).
 *
 * @example
 * ```ts
 * import { interval } from 'tickwheel';
 * using iv = interval(250);
 * for await (const t of iv) {
 *   if (await poll()) break; // break stops it
 * }
 * ```
 */
export class Interval implements Target {
  /** @internal */ declare _d: Driver;
  /** @internal Wheel id while someone waits for a tick, else -1. */ _id = -1;
  private declare readonly _period: number;
  private declare _mtb: MissedTickBehavior;
  private declare _next: number;
  private _waiters: Array<Deferred<number>> = [];
  private declare readonly _signal: AbortSignal | undefined;
  /**
   * Set once disposed, aborted or shut down: the reason every later tick rejects with (never
   * undefined: an AbortError, `signal.reason` or `ShutdownError`).
   */
  private _stopped: unknown;

  /** @internal Use interval / intervalAt (or the driver's methods). */
  constructor(driver: Driver, start: number, period: number, mtb: MissedTickBehavior, signal: AbortSignal | undefined) {
    this._d = driver;
    this._period = period;
    this._mtb = mtb;
    this._next = start;
    this._signal = signal;
    if (signal !== undefined) {
      if (signal.aborted) this._stopped = signalReason(signal);
      else signal.addEventListener('abort', this);
    }
  }

  /**
   * The time between ticks, in ms (as given; always finite and > 0).
   *
   * @example
   * ```ts
   * interval(250).period; // 250
   * ```
   */
  get period(): number {
    return this._period;
  }

  /**
   * What happens to missed ticks (settable, like Tokio's `set_missed_tick_behavior`).
   *
   * Edge cases: setting a value other than `"burst"`, `"delay"` or `"skip"` throws
   * `TypeError` (not a string) or `RangeError`, and leaves it unchanged.
   *
   * @example
   * ```ts
   * iv.missedTickBehavior = 'delay';
   * ```
   */
  get missedTickBehavior(): MissedTickBehavior {
    return this._mtb;
  }

  set missedTickBehavior(v: MissedTickBehavior) {
    this._mtb = checkBehavior('missedTickBehavior', v);
  }

  /**
   * Resolves with the instant the next tick was scheduled for, once the clock has reached
   * it; at once (in a microtask) if it already has. Concurrent calls take successive ticks.
   *
   * Edge cases: never throws; after dispose, an abort or the driver's shutdown it returns a
   * rejected promise (AbortError, `signal.reason`, `ShutdownError`). A shutdown while it waits
   * rejects it with `ShutdownError`.
   *
   * @example
   * ```ts
   * const iv = driver.interval(100);
   * await iv.tick(); // 0 (at once)
   * await iv.tick(); // 100
   * ```
   */
  tick(): Promise<number> {
    try {
      const r = this._wait();
      return typeof r === 'number' ? Promise.resolve(r) : r.p;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The next tick one period from now (ignores the missed-tick behavior).
   *
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * iv.reset(); // next tick at now() + period
   * ```
   */
  reset(): void {
    this._resetTo(this._d.now() + this._period);
  }

  /**
   * The next tick now.
   *
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * iv.resetImmediately();
   * await iv.tick(); // at once
   * ```
   */
  resetImmediately(): void {
    this._resetTo(this._d.now());
  }

  /**
   * The next tick `ms` from now.
   *
   * Edge cases: `0` makes it due now; `Infinity` is clamped to now + horizon.
   *
   * @throws TypeError if `ms` is not a number.
   * @throws RangeError if `ms` is `NaN` or negative.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * iv.resetAfter(5_000); // back off for 5 s
   * ```
   */
  resetAfter(ms: number): void {
    checkDelay('ms', ms);
    this._resetTo(this._d.now() + Math.min(ms, HORIZON));
  }

  /**
   * The next tick at `deadline` (an instant of the driver's clock).
   *
   * Edge cases: a past instant makes it due now; `Infinity` or beyond now + horizon is
   * clamped to now + horizon.
   *
   * @throws TypeError if `deadline` is not a number.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * iv.resetAt(now() + 1_000);
   * ```
   */
  resetAt(deadline: number): void {
    checkDeadline('deadline', deadline);
    this._resetTo(deadline);
  }

  /**
   * Yields tick instants; `return()` (a `break` out of `for await`) stops the iteration.
   *
   * Edge cases: `return()` withdraws a pending wait (and its timer) without losing a tick
   * already taken; after dispose, an abort or shutdown, `next()` rejects (a pending one cut
   * short that nobody awaits is not reported as unhandled, as for `tick()`).
   *
   * @example
   * ```ts
   * for await (const t of interval(1_000)) console.log('tick at', t);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<number> {
    let done = false;
    let inFlight: Deferred<number> | undefined;
    const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
    const it: AsyncIterableIterator<number> = {
      next: (): Promise<IteratorResult<number>> => {
        if (done) return Promise.resolve(DONE);
        try {
          const w = this._wait();
          if (typeof w === 'number') return Promise.resolve({ value: w, done: false });
          inFlight = w;
          // Quiet, as a pending tick() is: cut short by dispose, an abort or shutdown, it is
          // not reported when nobody awaits it.
          return quiet(w.p.then((v) => {
            if (inFlight === w) inFlight = undefined;
            // NaN: withdrawn by return(). A tick taken before return() is still delivered.
            return v !== v ? DONE : { value: v, done: false };
          }));
        } catch (e) {
          return Promise.reject(e);
        }
      },
      return: (): Promise<IteratorResult<number>> => {
        done = true;
        const w = inFlight;
        if (w !== undefined) {
          // Give its tick back: the wait is withdrawn (and the timer with it if it was the last).
          inFlight = undefined;
          if (this._withdraw(w)) w.res(NaN);
        }
        return Promise.resolve(DONE);
      },
      [Symbol.asyncIterator]() { return it; },
    };
    return it;
  }

  /**
   * Stops it: ticks still waiting for their instant reject with an AbortError, and so does
   * every later one (a tick already due when `tick()` was called was taken then and resolves).
   *
   * Edge cases: idempotent; unawaited rejections are not reported as unhandled.
   *
   * @example
   * ```ts
   * { using iv = interval(100); await iv.tick(); } // disposed here
   * ```
   */
  [Symbol.dispose](): void {
    this._stop(abortError('the interval was disposed'), true);
  }

  /** @internal The signal aborted. */
  handleEvent(): void {
    this._stop(signalReason(this._signal!), true);
  }

  /** @internal The timer fired: hand out every tick that is due, in order. */
  _fire(d: Driver): void {
    this._id = -1;
    const q = this._waiters;
    let now: number;
    try {
      now = d.now();
    } catch {
      now = d._passNow; // a custom clock failed: the pass's own reading (the driver reports it)
    }
    let first = true;
    while (q.length !== 0 && now >= this._next) {
      const w = q.shift()!;
      if (first) first = false; else d._fired++; // the driver counted the first one
      w.res(this._take(now));
    }
    if (q.length !== 0 && !d._closed) this._id = d._arm(this, encodeAt(this._next), false);
  }

  /** @internal */
  _shutdown(err: ShutdownError): void {
    this._id = -1;
    this._stop(err, false);
  }

  /** A due tick as a number, else a queued wait (arming the timer if it is the first). */
  private _wait(): Deferred<number> | number {
    if (this._stopped !== undefined) throw this._stopped;
    const d = this._d;
    if (d._closed) throw new ShutdownError();
    const q = this._waiters;
    if (q.length === 0) {
      const now = d.now();
      if (now >= this._next) {
        d._fired++;
        return this._take(now);
      }
    }
    const w = deferred<number>();
    q.push(w);
    if (this._id < 0) {
      try {
        this._id = d._arm(this, encodeAt(this._next), false);
      } catch (e) {
        q.pop();
        throw e;
      }
    }
    return w;
  }

  /** Takes the tick at `_next` and schedules the one after it, by Tokio's rules. */
  private _take(now: number): number {
    const t = this._next;
    const p = this._period;
    let next: number;
    if (now > t + MISSED_GRACE) {
      if (this._mtb === 'burst') next = t + p;
      else if (this._mtb === 'delay') next = now + p;
      else next = now + p - ((now - t) % p);
    } else {
      next = t + p;
    }
    this._next = next > now + HORIZON ? now + HORIZON : next;
    return t;
  }

  private _resetTo(at: number): void {
    const d = this._d;
    if (d._closed) throw new ShutdownError();
    this._next = at = clampAt(d, at);
    if (this._id > 0) this._id = d._rekey(this._id, this, encodeAt(at), false);
  }

  /** Removes one queued wait (an iterator's, on return()); disarms if nobody else waits. */
  private _withdraw(w: Deferred<number>): boolean {
    const q = this._waiters;
    const k = q.indexOf(w);
    if (k < 0) return false;
    q.splice(k, 1);
    if (q.length === 0 && this._id > 0) {
      this._d._cancel(this._id, true);
      this._id = -1;
    }
    return true;
  }

  private _stop(reason: unknown, cancel: boolean): void {
    if (this._stopped !== undefined) return;
    this._stopped = reason;
    if (cancel && this._id > 0) this._d._cancel(this._id, true);
    this._id = -1;
    if (this._signal !== undefined) this._signal.removeEventListener('abort', this);
    const q = this._waiters;
    this._waiters = [];
    for (const w of q) rejectQuietly(w, reason);
  }
}

function make(d: Driver, start: number | undefined, period: number, opts: IntervalOptions | undefined): Interval {
  const o = checkOptions('opts', opts) as IntervalOptions | undefined;
  const mtb = o?.missedTickBehavior === undefined ? 'burst' : checkBehavior('missedTickBehavior', o.missedTickBehavior);
  const signal = checkSignal('signal', o?.signal);
  if (d._closed) throw new ShutdownError();
  if (start === undefined) start = d.now();
  else start = clampAt(d, start);
  return new Interval(d, start, period, mtb, signal);
}

/** `driver.interval(periodMs, opts)`: the first tick at once. @internal */
export function makeInterval(d: Driver, period: number, opts?: IntervalOptions): Interval {
  checkPeriod('periodMs', period);
  return make(d, undefined, period, opts);
}

/** `driver.intervalAt(start, periodMs, opts)`: the first tick at `start`. @internal */
export function makeIntervalAt(d: Driver, start: number, period: number, opts?: IntervalOptions): Interval {
  checkDeadline('start', start);
  checkPeriod('periodMs', period);
  return make(d, start, period, opts);
}
