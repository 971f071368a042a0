// The module-level API: every function runs on one default driver, created on first use
// (real time, host-timer driven).

import { Driver } from './driver';
import type { Interval, IntervalOptions } from './interval';
import type { Sleep, SleepOptions } from './sleep';
import type { TimeoutOptions, Work } from './timeout';

let dd: Driver | undefined;

/**
 * The driver behind the module-level functions, created on first use (real time,
 * host-timer driven).
 *
 * Edge cases:
 * - Always the same driver: once it is shut down it stays shut down, and the module-level
 *   scheduling functions then throw `ShutdownError` (a new one is not created).
 *
 * @example
 * ```ts
 * import { defaultDriver, setTimeout } from 'tickwheel';
 * setTimeout(() => {}, 100);
 * defaultDriver().stats().pending; // 1
 * ```
 */
export function defaultDriver(): Driver {
  return dd ??= new Driver();
}

/**
 * The default driver's clock, in ms (monotonic, near 0 when it was created).
 *
 * Edge cases:
 * - Creates the default driver if there is none yet.
 * - Still works after `defaultDriver().shutdown()`.
 *
 * @example
 * ```ts
 * import { now, sleep } from 'tickwheel';
 * const t0 = now();
 * await sleep(50);
 * now() - t0 >= 50; // true
 * ```
 */
export function now(): number {
  return (dd ?? defaultDriver()).now();
}

/**
 * A {@link Sleep} on the default driver that completes `ms` from now (Tokio's `sleep`).
 *
 * Edge cases:
 * - `0` completes in the next processing pass (never synchronously).
 * - `Infinity` or more than the horizon (2^36 − 1 ms): clamped to now + horizon.
 * - Not a number: `TypeError`; `NaN`, negative or `-Infinity`: `RangeError`
 *   (the message names `ms`).
 * - An already aborted `opts.signal`: the sleep is rejected with `signal.reason` at once.
 * - `opts.ref` that is not a boolean: `TypeError`.
 * - After the default driver's shutdown: throws `ShutdownError`.
 *
 * @example
 * ```ts
 * import { sleep } from 'tickwheel';
 * await sleep(100);                        // 100 ms later
 * await sleep(60_000, { ref: false });     // does not keep Node alive
 * ```
 */
export function sleep(ms: number, opts?: SleepOptions): Sleep {
  return (dd ?? defaultDriver()).sleep(ms, opts);
}

/**
 * A {@link Sleep} on the default driver that completes once {@link now} reads `>= deadline`
 * (Tokio's `sleep_until`).
 *
 * Edge cases:
 * - A past instant (negative included): completes in the next processing pass.
 * - `Infinity` or beyond now + horizon: clamped to now + horizon.
 * - Not a number: `TypeError`; `NaN` or `-Infinity`: `RangeError` (names `deadline`).
 * - An already aborted `opts.signal`: rejected with `signal.reason` at once.
 * - After the default driver's shutdown: throws `ShutdownError`.
 *
 * @example
 * ```ts
 * import { now, sleepUntil } from 'tickwheel';
 * const start = now();
 * await sleepUntil(start + 250);
 * ```
 */
export function sleepUntil(deadline: number, opts?: SleepOptions): Sleep {
  return (dd ?? defaultDriver()).sleepUntil(deadline, opts);
}

/**
 * Settles like `work`, or rejects with {@link TimeoutError} if `ms` pass first (Tokio's
 * `timeout`), on the default driver. The timer is disarmed as soon as the race is decided;
 * the work itself is not stopped.
 *
 * Edge cases:
 * - `ms` as for {@link sleep}: `0` gives the work until the next pass; `Infinity` is clamped
 *   to the horizon; not a number: `TypeError`; `NaN` or negative: `RangeError`.
 * - `work` that is neither a thenable nor a function: `TypeError`. A function is called
 *   synchronously; if it throws, the promise rejects with that error.
 * - An already aborted `opts.signal`: rejects with `signal.reason` and the work is not
 *   started; aborting later rejects with `signal.reason` (no unhandled rejection if unawaited).
 * - After the default driver's shutdown: throws `ShutdownError`; a shutdown while it
 *   waits rejects it with `ShutdownError`.
 *
 * @example
 * ```ts
 * import { timeout, TimeoutError } from 'tickwheel';
 * try {
 *   const res = await timeout(5_000, () => fetch(url));
 * } catch (e) {
 *   if (e instanceof TimeoutError) console.log('too slow');
 * }
 * ```
 */
export function timeout<T>(ms: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
  return (dd ?? defaultDriver()).timeout(ms, work, opts);
}

/**
 * Like {@link timeout}, but the clock wins at the instant `deadline` of the default
 * driver's clock (Tokio's `timeout_at`).
 *
 * Edge cases:
 * - A past `deadline`: the work has until the next processing pass.
 * - `Infinity` or beyond now + horizon: clamped to now + horizon.
 * - Not a number: `TypeError`; `NaN` or `-Infinity`: `RangeError` (names `deadline`).
 * - `work`, `opts.signal` and shutdown as for {@link timeout}.
 *
 * @example
 * ```ts
 * import { now, timeoutAt } from 'tickwheel';
 * const deadline = now() + 1_000;
 * const a = await timeoutAt(deadline, stepOne());
 * const b = await timeoutAt(deadline, stepTwo(a)); // both within the same second
 * ```
 */
export function timeoutAt<T>(deadline: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
  return (dd ?? defaultDriver()).timeoutAt(deadline, work, opts);
}

/**
 * An {@link Interval} on the default driver that ticks every `periodMs`, the first tick at
 * once (Tokio's `interval`).
 *
 * Edge cases:
 * - `periodMs` not a number: `TypeError`; `0`, negative, `NaN` or `±Infinity`: `RangeError`
 *   (names `periodMs`).
 * - `opts.missedTickBehavior` other than `"burst"`, `"delay"`, `"skip"`: `TypeError` (not a
 *   string) or `RangeError`.
 * - An already aborted `opts.signal`: every `tick()` rejects with `signal.reason`.
 * - After the default driver's shutdown: throws `ShutdownError`.
 *
 * @example
 * ```ts
 * import { interval } from 'tickwheel';
 * const iv = interval(1_000);
 * for await (const t of iv) {
 *   poll(); // at once, then every second
 * }
 * ```
 */
export function interval(periodMs: number, opts?: IntervalOptions): Interval {
  return (dd ?? defaultDriver()).interval(periodMs, opts);
}

/**
 * An {@link Interval} on the default driver whose first tick is at the instant `start`,
 * then every `periodMs` (Tokio's `interval_at`).
 *
 * Edge cases:
 * - A past `start`: the first tick is due at once (it resolves with `start`); later ticks
 *   follow the missed-tick behavior.
 * - `start` of `Infinity` or beyond now + horizon: clamped to now + horizon.
 * - `start` not a number: `TypeError`; `NaN` or `-Infinity`: `RangeError` (names `start`).
 * - `periodMs`, `opts` and shutdown as for {@link interval}.
 *
 * @example
 * ```ts
 * import { intervalAt, now } from 'tickwheel';
 * const iv = intervalAt(now() + 500, 1_000);
 * await iv.tick(); // 500 ms from now
 * await iv.tick(); // 1500 ms from now
 * ```
 */
export function intervalAt(start: number, periodMs: number, opts?: IntervalOptions): Interval {
  return (dd ?? defaultDriver()).intervalAt(start, periodMs, opts);
}

/**
 * Node/HTML-compatible setTimeout on the default driver: calls `cb(...args)` (with `this`
 * undefined) after `ms`, and returns a positive integer id for {@link clearTimeout}.
 *
 * Edge cases:
 * - `ms` is coerced like Node's: `Number(ms)`; `undefined`, `NaN`, `0` or anything `< 1`
 *   → 1 ms.
 * - Over 2^31 − 1 ms is honoured (not wrapped to 1 ms as in Node) up to the horizon,
 *   2^36 − 1 ms; longer delays and `Infinity` are clamped to it.
 * - `cb` that is not a function: `TypeError` (names `cb`).
 * - After the default driver's shutdown: throws `ShutdownError`.
 *
 * @example
 * ```ts
 * import { setTimeout, clearTimeout } from 'tickwheel';
 * const id = setTimeout((who: string) => console.log(`hi ${who}`), 100, 'there');
 * clearTimeout(id); // never runs
 * ```
 */
export function setTimeout<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
export function setTimeout(cb: (...a: unknown[]) => void, ms?: number): number {
  const d = dd ?? defaultDriver();
  // Forward extra arguments only when there are some: no array per plain call.
  return arguments.length > 2
    ? (d.setTimeout as (...a: unknown[]) => number).apply(d, arguments as unknown as unknown[])
    : d.setTimeout(cb, ms);
}

/**
 * Node/HTML-compatible setInterval on the default driver: calls `cb(...args)` every `ms`
 * until {@link clearInterval}; returns a positive integer id.
 *
 * Edge cases:
 * - `ms` is coerced like Node's: `undefined`, `NaN` or `< 1` → 1 ms; a period over the
 *   horizon (2^36 − 1 ms), `Infinity` included, is clamped to it.
 * - `cb` that is not a function: `TypeError` (names `cb`).
 * - A callback that throws is reported (Driver `onError`) and the interval keeps running.
 * - After the default driver's shutdown: throws `ShutdownError`.
 *
 * @example
 * ```ts
 * import { setInterval, clearInterval } from 'tickwheel';
 * let n = 0;
 * const id = setInterval(() => { if (++n === 3) clearInterval(id); }, 10);
 * ```
 */
export function setInterval<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
export function setInterval(cb: (...a: unknown[]) => void, ms?: number): number {
  const d = dd ?? defaultDriver();
  return arguments.length > 2
    ? (d.setInterval as (...a: unknown[]) => number).apply(d, arguments as unknown as unknown[])
    : d.setInterval(cb, ms);
}

/**
 * Cancels a timeout (or interval) made by {@link setTimeout} / {@link setInterval}.
 *
 * Edge cases (all no-ops, never throws):
 * - `undefined`, a non-number (but a numeric string clears the id it spells, as in Node and
 *   browsers), an unknown id, or an id cleared twice.
 * - A stale id (of a timer that fired or was cleared): ids are generation-tagged, so it
 *   never clears a newer timer that reuses the slot.
 * - After the default driver's shutdown, or before it exists.
 *
 * @example
 * ```ts
 * import { setTimeout, clearTimeout } from 'tickwheel';
 * const id = setTimeout(() => console.log('never'), 1_000);
 * clearTimeout(id);
 * clearTimeout(id); // no-op
 * ```
 */
export function clearTimeout(id: number | undefined): void {
  if (dd !== undefined) dd.clearTimeout(id);
}

/**
 * Same as {@link clearTimeout}: ids are shared between timeouts and intervals, as in
 * browsers and Node.
 *
 * Edge cases: `undefined`, unknown, stale or already cleared ids are no-ops; it still works
 * after shutdown.
 *
 * @example
 * ```ts
 * import { setInterval, clearInterval } from 'tickwheel';
 * const id = setInterval(() => console.log('tick'), 1_000);
 * clearInterval(id);
 * ```
 */
export function clearInterval(id: number | undefined): void {
  if (dd !== undefined) dd.clearTimeout(id);
}

/**
 * Re-arms a pending timeout with its original (coerced) delay, counted from now, like
 * Node's `timeout.refresh()`.
 *
 * Edge cases:
 * - A non-number, unknown or stale id (fired or cleared): no-op.
 * - Before the default driver exists: no-op.
 * - After the default driver's shutdown: throws `ShutdownError` for a numeric id.
 *
 * @example
 * ```ts
 * import { setTimeout, refreshTimeout } from 'tickwheel';
 * const id = setTimeout(() => console.log('idle for 5 s'), 5_000);
 * onActivity(() => refreshTimeout(id)); // push it back on every activity
 * ```
 */
export function refreshTimeout(id: number): void {
  if (dd !== undefined) dd.refreshTimeout(id);
}

/**
 * Node's `timeout.unref()`: this timer alone no longer keeps the process (or Deno/Bun)
 * alive; it still fires if the process is running anyway.
 *
 * Edge cases: a non-number, unknown or stale id is a no-op; calling it twice is harmless.
 *
 * @example
 * ```ts
 * import { setInterval, unrefTimeout } from 'tickwheel';
 * const id = setInterval(flushMetrics, 10_000);
 * unrefTimeout(id); // the process may exit while it is pending
 * ```
 */
export function unrefTimeout(id: number): void {
  if (dd !== undefined) dd.unrefTimeout(id);
}

/**
 * Undoes {@link unrefTimeout}: the timer keeps the process alive again while pending.
 *
 * Edge cases: a non-number, unknown or stale id is a no-op; a timer that is already ref'd
 * (the default) is left as it is.
 *
 * @example
 * ```ts
 * import { setTimeout, unrefTimeout, refTimeout } from 'tickwheel';
 * const id = setTimeout(save, 1_000);
 * unrefTimeout(id);
 * refTimeout(id); // keeps the process alive again
 * ```
 */
export function refTimeout(id: number): void {
  if (dd !== undefined) dd.refTimeout(id);
}
