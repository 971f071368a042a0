// timeout / timeoutAt: Tokio's `timeout`, racing a piece of work against one wheel entry.
//
//   makeTimeout ─► work() called synchronously ─► _arm(op, ms) ─► work.then(op.win, op.lose)
//
//   whichever comes first settles the returned promise, and the other is disarmed at once:
//     work settles  ─► the timer is cancelled (stats().pending is back where it was)
//     timer fires   ─► rejects with TimeoutError (the work runs on; its outcome is ignored),
//                       decided a macrotask later: in real time a work settled by a timer of
//                       the same pass wins, as in Tokio, which polls the work before the
//                       deadline. A paused driver's advance lets a macrotask pass after each
//                       timer, so there the verdict lands before a timer of the same tick armed
//                       after the timeout's own (whose task Tokio's paused runtime wakes first)
//     signal aborts ─► timer cancelled, rejects with signal.reason
//     shutdown()    ─► rejects with ShutdownError
// Rejections of the last two kinds are marked handled, so an aborted timeout that nobody
// awaits reports no unhandled rejection (guarantee 10); a TimeoutError is reported as usual.

import type { Driver, Target } from './driver';
import { HORIZON } from './constants';
import { clampAt, encodeAt } from './entry';
import {
  ShutdownError, TimeoutError, checkDeadline, checkDelay, checkOptions, checkSignal, signalReason,
} from './errors';
import { deferred, rejectQuietly, type Deferred } from './sleep';
import { host } from './time_source';

export interface TimeoutOptions {
  /** Rejects with `signal.reason` when aborted (at once, without starting the work, if it already is). */
  signal?: AbortSignal;
}

/** A promise (any thenable) or a function returning one; the function is called synchronously. */
export type Work<T> = PromiseLike<T> | (() => PromiseLike<T>);

/** One race between a piece of work and the clock. It is its own timer target and abort listener. */
class TimeoutOp<T> implements Target {
  _id = -1;
  private declare readonly _d: Driver;
  private declare readonly _signal: AbortSignal | undefined;
  private declare _w: Deferred<T> | undefined;

  constructor(d: Driver, signal: AbortSignal | undefined, w: Deferred<T>) {
    this._d = d;
    this._signal = signal;
    this._w = w;
  }

  /** The work settled first (or at all: later calls are ignored). */
  _settle(ok: boolean, v: unknown): void {
    const w = this._end();
    if (w === undefined) return;
    if (this._id > 0) {
      this._d._cancel(this._id, true);
      this._id = -1;
    }
    if (ok) w.res(v as T); else w.rej(v);
  }

  /**
   * The timer fired: the clock wins unless the work settles first. In real time a pass runs
   * its callbacks back to back and their continuations after it, so a work that a timer of
   * this same pass settles (a sleep of the same tick, say) has not settled yet: the verdict
   * waits for the next macrotask, after every continuation of this pass has run.
   */
  _fire(): void {
    this._id = -1;
    host.soon(() => {
      const w = this._end();
      if (w !== undefined) w.rej(new TimeoutError());
    });
  }

  /** The signal aborted. */
  handleEvent(): void {
    const w = this._end();
    if (w === undefined) return;
    if (this._id > 0) {
      this._d._cancel(this._id, true);
      this._id = -1;
    }
    rejectQuietly(w, signalReason(this._signal!));
  }

  _shutdown(err: ShutdownError): void {
    this._id = -1;
    const w = this._end();
    if (w !== undefined) rejectQuietly(w, err);
  }

  /** Marks the race as decided; returns the promise to settle, or undefined if it already was. */
  private _end(): Deferred<T> | undefined {
    const w = this._w;
    if (w === undefined) return undefined;
    this._w = undefined;
    if (this._signal !== undefined) this._signal.removeEventListener('abort', this);
    return w;
  }
}

function checkWork(v: unknown): void {
  if (typeof v === 'function') return;
  if (v !== null && (typeof v === 'object') && typeof (v as PromiseLike<unknown>).then === 'function') return;
  throw new TypeError(`The "work" argument must be a thenable or a function. Received ${v === null ? 'null' : typeof v}`);
}

function race<T>(d: Driver, enc: number, work: Work<T>, opts: TimeoutOptions | undefined): Promise<T> {
  checkWork(work);
  const o = checkOptions('opts', opts) as TimeoutOptions | undefined;
  const signal = checkSignal('signal', o?.signal);
  if (d._closed) throw new ShutdownError();
  const w = deferred<T>();
  if (signal !== undefined && signal.aborted) {
    // Aborted before it started: the work is not started and no timer is armed.
    rejectQuietly(w, signalReason(signal));
    return w.p;
  }
  let pending: PromiseLike<T>;
  if (typeof work === 'function') {
    try {
      pending = work();
    } catch (e) {
      w.rej(e);
      return w.p;
    }
    if (d._closed) { // the work shut the driver down
      rejectQuietly(w, new ShutdownError());
      return w.p;
    }
  } else {
    pending = work;
  }
  const op = new TimeoutOp<T>(d, signal, w);
  op._id = d._arm(op, enc, false);
  if (signal !== undefined) signal.addEventListener('abort', op);
  // Promise.resolve adopts any thenable (and a plain value a function may have returned).
  Promise.resolve(pending).then((v) => op._settle(true, v), (e) => op._settle(false, e));
  return w.p;
}

/** `driver.timeout(ms, work, opts)`. @internal */
export function makeTimeout<T>(d: Driver, ms: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
  checkDelay('ms', ms);
  // The deadline is the call's reading plus `ms` (Tokio's Instant::now() + duration), taken
  // before a work function runs.
  return race(d, encodeAt(d.now() + Math.min(ms, HORIZON)), work, opts);
}

/** `driver.timeoutAt(deadline, work, opts)`. @internal */
export function makeTimeoutAt<T>(d: Driver, deadline: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
  checkDeadline('deadline', deadline);
  return race(d, encodeAt(clampAt(d, deadline)), work, opts);
}
