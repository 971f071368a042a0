// Errors the package throws or rejects with.

/**
 * Rejection of `timeout` / `timeoutAt` when the clock wins. `name === "TimeoutError"`,
 * and it is `instanceof Error`.
 *
 * Edge cases:
 * - Only the clock produces it: an aborted signal rejects with `signal.reason` instead, and
 *   a shutdown with {@link ShutdownError}.
 * - The work keeps running; its later outcome is ignored.
 *
 * @example
 * ```ts
 * import { timeout, TimeoutError } from 'tickwheel';
 * const r = await timeout(100, slowWork()).catch((e) => {
 *   if (e instanceof TimeoutError) return 'fallback';
 *   throw e;
 * });
 * ```
 */
export class TimeoutError extends Error {
  constructor(message = 'the deadline elapsed before the work settled') {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * Thrown by a driver's scheduling methods after `shutdown()`, and the rejection of every wait
 * it cut short. `name === "ShutdownError"`, and it is `instanceof Error`.
 *
 * Edge cases:
 * - Thrown synchronously (not as a rejection) by `sleep`, `sleepUntil`, `timeout`,
 *   `timeoutAt`, `interval`, `intervalAt`, `setTimeout`, `setInterval`, `refreshTimeout`,
 *   `entry`, `pause`, `resume`, `advance`, `runUntilIdle` and `DelayQueue` inserts/resets
 *   once the driver is shut down.
 * - Never thrown by `now`, `stats`, `nextDeadline`, `clearTimeout` / `clearInterval`, or a
 *   second `shutdown()`.
 * - Pending sleeps, timeouts, `Interval.tick()`s and `DelayQueue` waits reject with it (an
 *   unawaited one reports no unhandled rejection).
 *
 * @example
 * ```ts
 * import { Driver, ShutdownError } from 'tickwheel';
 * const d = new Driver();
 * const s = d.sleep(1_000);
 * d.shutdown();
 * await s.catch((e) => e instanceof ShutdownError); // true
 * d.sleep(1);                                        // throws ShutdownError
 * ```
 */
export class ShutdownError extends Error {
  constructor(message = 'the timer driver has been shut down') {
    super(message);
    this.name = 'ShutdownError';
  }
}

/** The rejection of a cancelled Sleep: a DOMException named AbortError where the platform has one. */
export function abortError(message = 'the sleep was cancelled'): Error {
  if (typeof DOMException === 'function') return new DOMException(message, 'AbortError');
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

/** The reason an AbortSignal carries (an AbortError when it has none). */
export function signalReason(signal: AbortSignal): unknown {
  return signal.reason ?? abortError('the operation was aborted');
}

// ---- argument checks: each names the argument, throws before anything changes ----

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/** A delay in ms: a number, not NaN, not negative. Infinity is allowed (clamped to the horizon). */
export function checkDelay(name: string, v: unknown): number {
  if (typeof v !== 'number') {
    throw new TypeError(`The "${name}" argument must be of type number (ms). Received ${show(v)}`);
  }
  if (!(v >= 0)) {
    throw new RangeError(`The "${name}" argument must be a number of ms >= 0. Received ${show(v)}`);
  }
  return v;
}

/** An instant from the driver's clock: a number, not NaN, not -Infinity. Past instants are allowed. */
export function checkDeadline(name: string, v: unknown): number {
  if (typeof v !== 'number') {
    throw new TypeError(`The "${name}" argument must be of type number (an instant). Received ${show(v)}`);
  }
  if (v !== v || v === -Infinity) {
    throw new RangeError(`The "${name}" argument must be an instant, not ${show(v)}`);
  }
  return v;
}

/** An interval period: a finite number > 0. */
export function checkPeriod(name: string, v: unknown): number {
  if (typeof v !== 'number') {
    throw new TypeError(`The "${name}" argument must be of type number (ms). Received ${show(v)}`);
  }
  if (!(v > 0 && v !== Infinity)) {
    throw new RangeError(`The "${name}" argument must be a finite number of ms > 0. Received ${show(v)}`);
  }
  return v;
}

export function checkFunction(name: string, v: unknown): void {
  if (typeof v !== 'function') {
    throw new TypeError(`The "${name}" argument must be of type function. Received ${show(v)}`);
  }
}

/** An optional capacity option: undefined, or a number from 0 to 2^26 (a non-number is a TypeError). */
export function checkCapacity(name: string, v: unknown): void {
  if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 2 ** 26)) {
    throw new (typeof v === 'number' ? RangeError : TypeError)(`The "${name}" option must be a number from 0 to 2^26. Received ${show(v)}`);
  }
}

/** An optional boolean option: undefined or a boolean. */
export function checkBoolean(name: string, v: unknown): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') {
    throw new TypeError(`The "${name}" option must be of type boolean. Received ${show(v)}`);
  }
  return v;
}

export function checkSignal(name: string, v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || typeof (v as AbortSignal).aborted !== 'boolean' ||
    typeof (v as AbortSignal).addEventListener !== 'function') {
    throw new TypeError(`The "${name}" option must be an AbortSignal. Received ${show(v)}`);
  }
  return v as AbortSignal;
}

export function checkOptions(name: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object') {
    throw new TypeError(`The "${name}" argument must be an object. Received ${show(v)}`);
  }
  return v as Record<string, unknown>;
}
