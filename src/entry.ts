// TimerEntry: Tokio's low-level timer, for library authors. One wheel entry, re-keyed on reset.

import { HORIZON } from './constants';
import type { Driver, Target } from './driver';
import { ShutdownError, checkDeadline, checkFunction } from './errors';

/**
 * Encodes an absolute instant for the core: -(x + 1), x >= 0. Past instants become 0 (due at
 * once); callers clamp first (clampAt), though the core would clamp -Infinity to now + HORIZON.
 * @internal
 */
export function encodeAt(deadline: number): number {
  // Whole ticks lose nothing (deadlines round up anyway) and keep x + 1 exact in an f64.
  return -(Math.ceil(deadline > 0 ? deadline : 0) + 1);
}

/**
 * An absolute deadline clamped to now + HORIZON. The clock is read only when that may matter:
 * below HORIZON no reading (>= 0) can make the clamp bite. @internal
 */
export function clampAt(d: Driver, deadline: number): number {
  return deadline < HORIZON ? deadline : Math.min(deadline, d.now() + HORIZON);
}

/**
 * A timer armed at an instant of its driver's clock. Poll it with a waker, as a Tokio
 * future would: `pollElapsed(w)` returns true once the deadline has passed, else stores `w`
 * (replacing the previous waker) and calls it once when the timer fires.
 *
 * Made by `driver.entry(deadline)`, for library authors building their own futures.
 *
 * Edge cases:
 * - A past `deadline` (negative included): fires in the next processing pass.
 * - `Infinity` or beyond now + horizon: clamped to now + horizon.
 * - `deadline` not a number: `TypeError`; `NaN` or `-Infinity`: `RangeError`.
 * - After the driver's shutdown, `driver.entry` and `reset` throw `ShutdownError`; an entry
 *   that was armed at shutdown calls its waker, and `pollElapsed` then throws `ShutdownError`.
 *
 * @example
 * ```ts
 * import { Driver } from 'tickwheel';
 * const d = new Driver({ paused: true });
 * const e = d.entry(100);
 * e.pollElapsed(() => console.log('woken')); // false: waker stored
 * await d.advance(100);                      // logs "woken"
 * e.pollElapsed(() => {});                   // true
 * ```
 */
export class TimerEntry implements Target {
  /** @internal */ declare _d: Driver;
  /** @internal */ _id = -1;
  private declare _deadline: number;
  private _elapsed = false;
  private _dead = false;
  private _waker: (() => void) | undefined;

  /** @internal Use driver.entry(deadline). */
  constructor(driver: Driver, deadline: number) {
    checkDeadline('deadline', deadline);
    this._d = driver;
    this._deadline = deadline = clampAt(driver, deadline);
    this._id = driver._arm(this, encodeAt(deadline), false);
  }

  /**
   * The instant it fires at: the requested one (not rounded up to the tick), clamped to
   * now + horizon.
   *
   * Edge cases: a past deadline reads as requested; `Infinity` reads as now + horizon.
   *
   * @example
   * ```ts
   * const e = driver.entry(10.5);
   * e.deadline; // 10.5 (it fires at tick 11)
   * ```
   */
  get deadline(): number {
    return this._deadline;
  }

  /**
   * True once the timer has fired (and until it is reset).
   *
   * Edge cases: a `cancel()` or shutdown before it fires leaves it false.
   *
   * @example
   * ```ts
   * const e = driver.entry(driver.now());
   * e.isElapsed;             // false until a processing pass runs it
   * ```
   */
  get isElapsed(): boolean {
    return this._elapsed;
  }

  /**
   * True if elapsed; otherwise remembers `waker` (replacing any earlier one) and returns false.
   * The waker is called once, when the timer fires.
   *
   * Edge cases: after `cancel()` of an entry that had not fired, it returns false and stores
   * the waker, which is not called unless the entry is `reset`.
   *
   * @throws TypeError if `waker` is not a function.
   * @throws ShutdownError if the driver shut down while the entry was armed.
   *
   * @example
   * ```ts
   * if (!entry.pollElapsed(wake)) return PENDING; // wake() runs when it fires
   * ```
   */
  pollElapsed(waker: () => void): boolean {
    checkFunction('waker', waker);
    if (this._dead) throw new ShutdownError();
    if (this._elapsed) return true;
    this._waker = waker;
    return false;
  }

  /**
   * Re-arms at `deadline`, also after it elapsed or was cancelled. A waker registered and
   * not yet woken is kept; once the entry has fired its waker is spent (as in Tokio), so
   * after a reset call `pollElapsed` again to be woken.
   *
   * Edge cases: a past deadline fires in the next pass; `Infinity` is clamped to
   * now + horizon.
   *
   * @throws TypeError if `deadline` is not a number.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * entry.reset(driver.now() + 500); // fire 500 ms from now instead
   * ```
   */
  reset(deadline: number): void {
    checkDeadline('deadline', deadline);
    if (this._dead || this._d._closed) throw new ShutdownError();
    this._deadline = deadline = clampAt(this._d, deadline);
    this._elapsed = false;
    this._id = this._d._rekey(this._id, this, encodeAt(deadline), false);
  }

  /**
   * Disarms it; idempotent. It will not fire and its waker is dropped.
   *
   * Edge cases: a no-op on an entry that already fired or was cancelled, and after shutdown;
   * `reset` arms it again.
   *
   * @example
   * ```ts
   * entry.cancel();
   * entry.cancel(); // no-op
   * ```
   */
  cancel(): void {
    if (this._id > 0) {
      this._d._cancel(this._id, true);
      this._id = -1;
    }
    this._waker = undefined;
  }

  /** @internal */
  _fire(): void {
    this._id = -1;
    this._elapsed = true;
    const w = this._waker;
    this._waker = undefined;
    if (w) w();
  }

  /** @internal */
  _shutdown(): void {
    this._id = -1;
    this._dead = true;
    const w = this._waker;
    this._waker = undefined;
    if (w) w();
  }
}
