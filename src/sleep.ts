// Sleep: Tokio's `sleep` / `sleep_until` as a thenable. One wheel entry, nothing else.
//
//   makeSleep ──► _arm(sleep, ms) ──► checkpoint fixes the tick AND calls sleep._fixed(now)
//                                      with the same reading: deadline = now + min(ms, HORIZON)
//   wheel fires ─► sleep._fire ─► resolves the promise, if anyone has asked for one
//
//            reset(x)                     cancel() / signal / shutdown()
//   PENDING ─────────► PENDING (re-keyed)   PENDING ──────────► REJECTED
//   PENDING ─ fire ──► ELAPSED ─ reset(x) ─► PENDING (a new promise for new awaits)
//
// The promise is made lazily, on the first `then` (which is what `await` calls). A sleep
// that is cancelled, aborted or cut short by shutdown before anyone awaited it therefore
// has no promise to reject, and can cause no unhandled rejection (guarantee 10); a later
// `then` gets an already-rejected promise with its handlers attached at once.
//
// The AbortSignal listener is the Sleep itself (EventTarget calls `handleEvent`), so a
// signal costs no closure; it is removed as soon as the sleep settles.

import { HORIZON } from './constants';
import type { Driver, Fixable, Target } from './driver';
import { encodeAt, mayClamp } from './entry';
import {
  ShutdownError, abortError, checkDeadline, checkDelay, checkOptions, checkSignal, signalReason,
} from './errors';

export interface SleepOptions {
  /** Rejects the sleep with `signal.reason` when aborted (at once if it already is). */
  signal?: AbortSignal;
  /** `false`: this sleep alone does not keep the Node process alive. Default `true`. */
  ref?: boolean;
}

const PENDING = 0;
const ELAPSED = 1;
const REJECTED = 2;

/** How the deadline still has to be fixed at the next checkpoint. */
const FIX_NONE = 0;
/** `_deadline` holds a relative delay in ms: deadline = now + min(ms, HORIZON). */
const FIX_REL = 1;
/** `_deadline` holds an absolute instant that may lie beyond now + HORIZON. */
const FIX_CLAMP = 2;

/**
 * A timer you await (a `PromiseLike<void>`), made by `sleep(ms)` / `sleepUntil(deadline)`.
 * It resolves once the driver's clock reads `>= deadline`; `cancel()` or an aborted signal
 * rejects it; `reset(deadline)` re-arms it, also after it elapsed.
 *
 * Edge cases:
 * - Never settles synchronously: `sleep(0)` completes in the next processing pass.
 * - A sleep cancelled, aborted or cut short by shutdown that nobody awaits causes no
 *   unhandled rejection; a later `await` still sees the rejection.
 * - A driver shutdown rejects a pending sleep with `ShutdownError`.
 *
 * @example
 * ```ts
 * import { sleep } from 'tickwheel';
 * const s = sleep(1_000);
 * s.reset(s.deadline + 500); // now 1.5 s
 * await s;
 * s.isElapsed; // true
 * ```
 */
export class Sleep implements PromiseLike<void>, Target, Fixable {
  /** @internal */ _d: Driver;
  /** @internal Wheel id while armed, else -1. */ _id = -1;
  private _state = PENDING;
  private _reason: unknown = undefined;
  private _deadline: number;
  private _fix = FIX_NONE;
  private readonly _unref: boolean;
  private readonly _signal: AbortSignal | undefined;
  private _p: Promise<void> | undefined = undefined;
  private _res: (() => void) | undefined = undefined;
  private _rej: ((e: unknown) => void) | undefined = undefined;

  /** @internal Use sleep / sleepUntil (or driver.sleep / driver.sleepUntil). */
  constructor(driver: Driver, at: number, relative: boolean, signal: AbortSignal | undefined, unref: boolean) {
    this._d = driver;
    this._deadline = at;
    this._unref = unref;
    this._signal = signal;
    if (signal !== undefined && signal.aborted) {
      // Never armed: settle at once, with a deadline read from the clock now.
      if (relative) this._deadline = driver.now() + Math.min(at, HORIZON);
      else if (mayClamp(at)) this._deadline = Math.min(at, driver.now() + HORIZON);
      this._state = REJECTED;
      this._reason = signalReason(signal);
      return;
    }
    this._id = driver._arm(this, relative ? at : encodeAt(at), unref);
    this._fix = relative ? FIX_REL : mayClamp(at) ? FIX_CLAMP : FIX_NONE;
    if (this._fix !== FIX_NONE) driver._needsFix(this);
    if (signal !== undefined) signal.addEventListener('abort', this);
  }

  /**
   * The instant it completes at: the requested one, clamped to now + horizon (not rounded up
   * to the tick). For `sleep(ms)` it is fixed at the next microtask checkpoint (or now, if
   * read before).
   *
   * Edge cases: `Infinity` (or beyond the horizon) reads as now + horizon; a past instant
   * given to `sleepUntil` reads as given.
   *
   * @example
   * ```ts
   * const s = driver.sleepUntil(42.5);
   * s.deadline; // 42.5
   * ```
   */
  get deadline(): number {
    if (this._fix !== FIX_NONE) {
      if (this._id > 0) this._d._flushNow();
      if (this._fix !== FIX_NONE) this._fixed(this._d.now());
    }
    return this._deadline;
  }

  /**
   * True once it has completed, until the next reset.
   *
   * Edge cases: stays false when it was cancelled, aborted or shut down.
   *
   * @example
   * ```ts
   * const s = sleep(10);
   * await s;
   * s.isElapsed; // true
   * ```
   */
  get isElapsed(): boolean {
    return this._state === ELAPSED;
  }

  then<A = void, B = never>(
    onfulfilled?: ((value: void) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this._promise().then(onfulfilled, onrejected);
  }

  /** Like Promise#catch (a convenience beyond PromiseLike). */
  catch<B = never>(onrejected?: ((reason: any) => B | PromiseLike<B>) | null): Promise<void | B> {
    return this._promise().then(undefined, onrejected);
  }

  /** Like Promise#finally. */
  finally(onfinally?: (() => void) | null): Promise<void> {
    return this._promise().finally(onfinally);
  }

  /**
   * Re-arms it for `deadline` (an instant of the driver's clock), before or after it elapsed
   * or was cancelled. While pending, awaits in progress keep waiting, for the new deadline;
   * once settled, a new await waits for the new deadline. Throws ShutdownError after shutdown.
   *
   * Edge cases: a past deadline completes in the next pass; `Infinity` is clamped to
   * now + horizon; a sleep bound to an aborted signal stays rejected with its reason.
   *
   * @throws TypeError if `deadline` is not a number.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * const s = sleep(100);
   * await s;
   * s.reset(now() + 100); // sleep again
   * await s;
   * ```
   */
  reset(deadline: number): void {
    checkDeadline('deadline', deadline);
    const d = this._d;
    if (d._closed) throw new ShutdownError();
    const signal = this._signal;
    if (signal !== undefined && signal.aborted) {
      // Bound to an aborted signal: it stays rejected with the signal's reason.
      if (this._id > 0) { d._cancel(this._id, true); this._id = -1; }
      this._deadline = mayClamp(deadline) ? Math.min(deadline, d.now() + HORIZON) : deadline;
      this._fix = FIX_NONE;
      if (this._state !== REJECTED) this._reject(signalReason(signal));
      return;
    }
    // Later than a fixed deadline: re-armed in place (the entry stays where it lies and moves
    // on when its slot comes up, one store); otherwise dropped and armed anew.
    if (!(this._id > 0 && this._fix === FIX_NONE && deadline >= this._deadline && d._rearm(this._id, encodeAt(deadline)))) {
      this._id = d._rekey(this._id, this, encodeAt(deadline), this._unref);
    }
    this._deadline = deadline;
    this._fix = mayClamp(deadline) ? FIX_CLAMP : FIX_NONE;
    if (this._fix !== FIX_NONE) d._needsFix(this);
    if (this._state !== PENDING) {
      this._state = PENDING;
      this._reason = undefined;
      this._p = undefined;
      if (signal !== undefined) signal.addEventListener('abort', this);
    }
  }

  /**
   * Disarms it; the promise rejects with an AbortError. A no-op once it elapsed or was cancelled.
   *
   * Edge cases: also a no-op after it was aborted or shut down; unawaited, it reports no
   * unhandled rejection. `reset` re-arms a cancelled sleep.
   *
   * @example
   * ```ts
   * const s = sleep(1_000);
   * s.cancel();
   * await s.catch((e) => e.name); // "AbortError"
   * ```
   */
  cancel(): void {
    if (this._state !== PENDING) return;
    if (this._id > 0) {
      this._d._cancel(this._id, true);
      this._id = -1;
    }
    this._reject(abortError());
  }

  /**
   * Same as `cancel()`, for `using`.
   *
   * @example
   * ```ts
   * { using s = sleep(1_000); } // cancelled when the block ends
   * ```
   */
  [Symbol.dispose](): void {
    this.cancel();
  }

  /** @internal The signal aborted (EventTarget calls this: the Sleep is its own listener). */
  handleEvent(): void {
    if (this._state !== PENDING) return;
    if (this._id > 0) {
      this._d._cancel(this._id, true);
      this._id = -1;
    }
    this._reject(signalReason(this._signal!));
  }

  /** @internal The checkpoint's clock reading, the one that fixed the wheel's deadline. */
  _fixed(now: number): void {
    const m = this._fix;
    this._fix = FIX_NONE;
    if (m === FIX_REL) this._deadline = now + Math.min(this._deadline, HORIZON);
    else if (m === FIX_CLAMP && this._deadline > now + HORIZON) this._deadline = now + HORIZON;
  }

  /** @internal */
  _fire(): void {
    this._id = -1;
    this._state = ELAPSED;
    if (this._signal !== undefined) this._signal.removeEventListener('abort', this);
    const res = this._res;
    if (res !== undefined) {
      this._res = this._rej = undefined;
      res();
    }
  }

  /** @internal */
  _shutdown(err: ShutdownError): void {
    this._id = -1;
    if (this._fix !== FIX_NONE) this._fixed(this._d.now());
    if (this._state === PENDING) this._reject(err);
  }

  private _reject(reason: unknown): void {
    this._state = REJECTED;
    this._reason = reason;
    if (this._signal !== undefined) this._signal.removeEventListener('abort', this);
    const rej = this._rej;
    if (rej !== undefined) {
      this._res = this._rej = undefined;
      rej(reason);
    }
  }

  private _promise(): Promise<void> {
    let p = this._p;
    if (p === undefined) {
      if (this._state === ELAPSED) p = Promise.resolve();
      else if (this._state === REJECTED) p = Promise.reject(this._reason);
      else p = new Promise<void>((res, rej) => { this._res = res; this._rej = rej; });
      this._p = p;
    }
    return p;
  }
}

function checkRef(v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') {
    throw new TypeError(`The "ref" option must be of type boolean. Received ${typeof v}`);
  }
  return !v;
}

/** `driver.sleep(ms, opts)`: completes `ms` after the next checkpoint's clock reading. @internal */
export function makeSleep(d: Driver, ms: number, opts?: SleepOptions): Sleep {
  checkDelay('ms', ms);
  const o = checkOptions('opts', opts) as SleepOptions | undefined;
  const signal = checkSignal('signal', o?.signal);
  const unref = checkRef(o?.ref);
  if (d._closed) throw new ShutdownError();
  return new Sleep(d, ms, true, signal, unref);
}

/** `driver.sleepUntil(deadline, opts)`: completes once the clock reads `>= deadline`. @internal */
export function makeSleepUntil(d: Driver, deadline: number, opts?: SleepOptions): Sleep {
  checkDeadline('deadline', deadline);
  const o = checkOptions('opts', opts) as SleepOptions | undefined;
  const signal = checkSignal('signal', o?.signal);
  const unref = checkRef(o?.ref);
  if (d._closed) throw new ShutdownError();
  return new Sleep(d, deadline, false, signal, unref);
}

// ---- small helpers shared by timeout, interval and the delay queue -----------------------

/** A promise with its settle functions. @internal */
export interface Deferred<T> {
  p: Promise<T>;
  res: (v: T) => void;
  rej: (e: unknown) => void;
}

/** @internal */
export function deferred<T>(): Deferred<T> {
  let res!: (v: T) => void;
  let rej!: (e: unknown) => void;
  const p = new Promise<T>((a, b) => { res = a; rej = b; });
  return { p, res, rej };
}

function ignore(): void {}

/**
 * Rejects a wait that was cut short (cancelled, aborted, shut down) without reporting an
 * unhandled rejection when nobody awaits it (guarantee 10); awaiters still see the error.
 * @internal
 */
export function rejectQuietly<T>(w: Deferred<T>, reason: unknown): void {
  w.p.then(undefined, ignore);
  w.rej(reason);
}
