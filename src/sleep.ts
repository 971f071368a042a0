// Sleep: Tokio's `sleep` / `sleep_until` as a native Promise. One wheel entry, nothing else.
//
//   makeSleep ──► deadline = now() + min(ms, HORIZON), read at the call (as Tokio's
//                 Instant::now() + duration) ──► _arm(sleep, deadline): the checkpoint
//                 inserts it into the wheel with the rest of the burst
//   wheel fires ─► sleep._fire ─► resolves the promise
//
//            reset(x)                     cancel() / signal / shutdown()
//   PENDING ─────────► PENDING (re-keyed)   PENDING ──────────► REJECTED
//   PENDING ─ fire ──► ELAPSED ─ reset(x) ─► PENDING (a new promise for new awaits)
//
// WHY a Promise subclass: `await` of a native promise whose `constructor` reads as
// %Promise% takes V8's fast path (no thenable job, no extra promise); awaiting a thenable
// object cost about a third more CPU per sleep. So a Sleep *is* its first promise, and its
// prototype's `constructor` is a getter that answers `Promise` (the protector V8 keeps for
// promises is untouched: nothing is defined on a promise instance or on Promise.prototype).
//
// A native promise cannot go back to pending, and Tokio's Sleep can be reset after it
// elapsed. So a reset after settling makes a fresh inner promise `_p`; from then on the
// getter answers something else, `await` goes through `then`, and `then` delegates to `_p`.
//
// A sleep cut short (cancel, signal, shutdown) gets a no-op rejection handler before it is
// rejected, so nobody awaiting it means no unhandled rejection (guarantee 10); awaiters and
// `then` callers still see the rejection.
//
// The AbortSignal listener is the Sleep itself (EventTarget calls `handleEvent`), so a
// signal costs no closure; it is removed as soon as the sleep settles.

import { HORIZON } from './constants';
import type { Driver, Target } from './driver';
import { clampAt, encodeAt } from './entry';
import {
  ShutdownError, abortError, checkBoolean, checkDeadline, checkDelay, checkOptions, checkSignal, signalReason,
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

type Resolve = (v?: void) => void;
type Reject = (e: unknown) => void;

// The executor stores the resolvers here, so a sleep's construction allocates no closure.
let capturedRes: Resolve | undefined;
let capturedRej: Reject | undefined;
function capture(res: Resolve, rej: Reject): void {
  capturedRes = res;
  capturedRej = rej;
}

function ignore(): void {}

const promiseThen = Promise.prototype.then;

/**
 * A timer you await, made by `sleep(ms)` / `sleepUntil(deadline)`: a native `Promise<void>`
 * (so a `PromiseLike`) that resolves once the driver's clock reads `>= deadline`. `cancel()`
 * or an aborted signal rejects it; `reset(deadline)` re-arms it, also after it elapsed.
 *
 * Edge cases:
 * - Never settles synchronously: `sleep(0)` completes in the next processing pass.
 * - A sleep cancelled, aborted or cut short by shutdown that nobody awaits causes no
 *   unhandled rejection; a later `await` still sees the rejection.
 * - A driver shutdown rejects a pending sleep with `ShutdownError`.
 * - `then` / `catch` / `finally` return plain Promises; after a reset that follows
 *   completion, they (and `await`) wait for the new deadline.
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
export class Sleep extends Promise<void> implements Target {
  /** @internal */ declare _d: Driver;
  /** @internal Wheel id while armed, else -1. */ declare _id: number;
  private declare _state: number;
  private declare _deadline: number;
  private declare _unref: boolean;
  private declare _signal: AbortSignal | undefined;
  /** The promise awaits wait for after a reset that followed completion; else undefined (it is `this`). */
  private declare _p: Promise<void> | undefined;
  private declare _res: Resolve | undefined;
  private declare _rej: Reject | undefined;

  /** @internal Use sleep / sleepUntil (or driver.sleep / driver.sleepUntil). */
  constructor(driver: Driver, at: number, relative: boolean, signal: AbortSignal | undefined, unref: boolean) {
    if (typeof driver === 'function') {
      // Promise's statics (Sleep.resolve, ...) construct with an executor: a plain promise.
      super(driver as unknown as (res: Resolve, rej: Reject) => void);
      return;
    }
    super(capture);
    this._d = driver;
    // NaN first: these fields hold doubles (ids are above 2^31, deadlines fractional), and
    // a Smi stored first would make V8 change the Sleep map later, for every sleep made.
    this._id = NaN;
    this._state = PENDING;
    this._deadline = NaN;
    this._deadline = at = relative ? driver.now() + Math.min(at, HORIZON) : clampAt(driver, at);
    this._unref = unref;
    this._signal = signal;
    this._p = undefined;
    this._take();
    if (signal !== undefined && signal.aborted) {
      this._reject(signalReason(signal)); // never armed
      return;
    }
    this._id = driver._arm(this, encodeAt(at), unref);
    if (signal !== undefined) signal.addEventListener('abort', this);
  }

  /**
   * The instant it completes at: the requested one, clamped to now + horizon (not rounded up
   * to the tick). For `sleep(ms)`, the clock's reading at the call plus `ms`.
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

  /**
   * Promise#then. After a reset that followed completion it waits for the new deadline.
   *
   * @example
   * ```ts
   * sleep(100).then(() => console.log('100 ms later'));
   * ```
   */
  override then<A = void, B = never>(
    onfulfilled?: ((value: void) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    const p = this._p;
    return p !== undefined ? p.then(onfulfilled, onrejected) : promiseThen.call(this, onfulfilled, onrejected) as Promise<A | B>;
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
    deadline = clampAt(d, deadline);
    const signal = this._signal;
    if (signal !== undefined && signal.aborted) {
      // Bound to an aborted signal: it stays rejected with the signal's reason.
      if (this._id > 0) { d._cancel(this._id, true); this._id = -1; }
      this._deadline = deadline;
      if (this._state !== REJECTED) this._reject(signalReason(signal));
      return;
    }
    // Later than the current deadline: re-armed in place (the entry stays where it lies and
    // moves on when its slot comes up, one store); otherwise dropped and armed anew.
    if (!(this._id > 0 && deadline >= this._deadline && d._rearm(this._id, encodeAt(deadline)))) {
      this._id = d._rekey(this._id, this, encodeAt(deadline), this._unref);
    }
    this._deadline = deadline;
    if (this._state !== PENDING) {
      this._renew();
      this._state = PENDING;
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

  /** @internal */
  _fire(): void {
    this._id = -1;
    this._state = ELAPSED;
    if (this._signal !== undefined) this._signal.removeEventListener('abort', this);
    const res = this._res!;
    this._res = this._rej = undefined;
    res();
  }

  /** @internal */
  _shutdown(err: ShutdownError): void {
    this._id = -1;
    if (this._state === PENDING) this._reject(err);
  }

  /** A settled sleep waits again: a fresh inner promise for new awaits. */
  private _renew(): void {
    this._p = new Promise<void>(capture);
    this._take();
  }

  /** Keeps the resolvers `capture` just stored (and lets go of the module's references). */
  private _take(): void {
    this._res = capturedRes;
    this._rej = capturedRej;
    capturedRes = capturedRej = undefined;
  }

  private _reject(reason: unknown): void {
    if (this._state !== PENDING) this._renew(); // elapsed, then reset with an aborted signal
    this._state = REJECTED;
    if (this._signal !== undefined) this._signal.removeEventListener('abort', this);
    const rej = this._rej!;
    this._res = this._rej = undefined;
    // Handled by nobody is fine: mark it handled, awaiters still see the rejection.
    const p = this._p;
    if (p !== undefined) quiet(p); else promiseThen.call(this, undefined, ignore);
    rej(reason);
  }
}

// `await` takes the native fast path only when `constructor` reads as %Promise%. A getter
// on Sleep.prototype (never on an instance: that would disarm V8's promise protector for the
// whole process) answers Promise until a reset after completion gives the sleep a new inner
// promise, which `await` must reach through `then`; then it answers undefined, which also
// makes then / catch / finally build plain Promises (no species lookup on Sleep).
Object.defineProperty(Sleep.prototype, 'constructor', {
  get(this: Sleep): unknown {
    return (this as unknown as { _p: unknown })._p === undefined ? Promise : undefined;
  },
  configurable: true,
});

/** `driver.sleep(ms, opts)`: completes `ms` after the call. @internal */
export function makeSleep(d: Driver, ms: number, opts?: SleepOptions): Sleep {
  checkDelay('ms', ms);
  return make(d, ms, true, opts);
}

/** `driver.sleepUntil(deadline, opts)`: completes once the clock reads `>= deadline`. @internal */
export function makeSleepUntil(d: Driver, deadline: number, opts?: SleepOptions): Sleep {
  checkDeadline('deadline', deadline);
  return make(d, deadline, false, opts);
}

function make(d: Driver, at: number, relative: boolean, opts: SleepOptions | undefined): Sleep {
  const o = checkOptions('opts', opts) as SleepOptions | undefined;
  const signal = checkSignal('signal', o?.signal);
  const unref = checkBoolean('ref', o?.ref) === false;
  if (d._closed) throw new ShutdownError();
  return new Sleep(d, at, relative, signal, unref);
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


/**
 * Rejects a wait that was cut short (cancelled, aborted, shut down) without reporting an
 * unhandled rejection when nobody awaits it (guarantee 10); awaiters still see the error.
 * @internal
 */
export function rejectQuietly<T>(w: Deferred<T>, reason: unknown): void {
  quiet(w.p);
  w.rej(reason);
}

/** `p`, marked handled: its rejection is not reported when nobody awaits it. @internal */
export function quiet<T>(p: Promise<T>): Promise<T> {
  p.then(undefined, ignore);
  return p;
}
