// Where time comes from and how the driver wakes up.
//
// The clock: a driver reads `clock.now()` (default: performance.now) relative to its first
// reading, so instants start near 0; a reading lower than the last is replaced by the last
// (a clock that goes back stands still). The host: one platform timer armed for the next
// deadline; the platform functions are captured when this module loads, so that replacing
// globalThis.setTimeout (by this package's own façade, say) never loops back into us.
//
// HOW a wake-up is made precise (`host.set(fn, ms)`): the platform timer is only the coarse
// part. Each runtime's timer has its own way of being off, and each is corrected here:
//
//   want ──────────────────────────────────────────────► target = now + ms (host clock)
//   platform timer: setTimeout(ceil(rem) − lead) ──► fires ─┬─ now ≥ target ─► fn()
//                                                           ├─ rem < 1 ms ───► poll in macrotasks
//                                                           │                  (setImmediate /
//                                                           │                  MessageChannel) ─► fn()
//                                                           └─ rem ≥ 1 ms ───► arm again
//
//   early   Node's timers count from the loop's cached time, so they can fire up to ~1 ms
//           before `ms` has really passed; a re-armed setTimeout(1) would then add 1–2 ms.
//           A remainder under 1 ms is finished by polling instead (bounded: < 1 ms of turns).
//   late    Deno's timers resolve ~1 ms after their delay (setTimeout(1) takes ~2.1 ms). The
//           lateness of the last LATE_SAMPLES platform timers is kept; when the typical one
//           (their median) was >= 1 ms late, timers are armed that much (at most MAX_LEAD)
//           sooner, and an early firing is finished by polling as above.
//   clamp   Browsers (HTML) clamp a timer set from inside a timer chain 5 deep to ≥ 4 ms —
//           and the driver re-arms from inside its own timer, so every short wait after the
//           fifth would take 4 ms. A wait under 4 ms is armed from a MessageChannel task
//           instead (nesting level 0: no clamp). No busy wait is involved.
//   hidden  Hidden tabs align timers to 1 s; nothing here fights that (polling would burn
//           the CPU of a tab nobody looks at). Use a Worker for timing that must not sleep.
//
// Never early does not depend on any of this: the driver compares its own clock with each
// deadline when the host wakes it, and re-arms if it woke too soon.

export interface Clock { now(): number }

type HostHandle = unknown;
interface HostTimers {
  set(fn: () => void, ms: number): HostHandle;
  clear(h: HostHandle): void;
  /** Runs fn in a new macrotask as soon as possible (no 1 ms / 4 ms minimum where avoidable). */
  soon(fn: () => void): HostHandle;
  clearSoon(h: HostHandle): void;
  ref(h: HostHandle, on: boolean, soon: boolean): void;
}

const g = globalThis as any;
const hostSetTimeout: (fn: () => void, ms: number) => HostHandle = g.setTimeout;
const hostClearTimeout: (h: HostHandle) => void = g.clearTimeout;
const hostSetImmediate: ((fn: () => void) => HostHandle) | undefined = g.setImmediate;
const hostClearImmediate: ((h: HostHandle) => void) | undefined = g.clearImmediate;
const Deno = g.Deno;

const perf: { now(): number } | undefined = g.performance;
const hostNow: () => number = perf && typeof perf.now === 'function' ? () => perf.now() : () => Date.now();

/** Remainders below this are finished by polling macrotasks rather than by another timer. */
const POLL_MS = 1;
/** HTML's clamp: a timer nested 5 deep waits at least this long. */
const CLAMP_MS = 4;
/** Platform timers whose lateness is remembered to estimate the lead. */
const LATE_SAMPLES = 8;
/** At most this much is taken off a platform timer's delay (bounds the polling it leads to). */
const MAX_LEAD = 1;

/** A MessageChannel-based "soon" for browsers and workers: no nested-timer 4 ms clamp. */
function channelSoon(): ((fn: () => void) => HostHandle) | undefined {
  if (typeof g.MessageChannel !== 'function') return undefined;
  const queue: Array<(() => void) | null> = [];
  let ch: MessageChannel | undefined;
  return (fn) => {
    if (!ch) {
      ch = new g.MessageChannel() as MessageChannel;
      ch.port1.onmessage = () => {
        const f = queue.shift();
        if (f) f();
      };
    }
    queue.push(fn);
    ch.port2.postMessage(0);
    return { cancel: () => { const k = queue.indexOf(fn); if (k >= 0) queue[k] = null; } };
  };
}

const isNodeLike = typeof g.process === 'object' && g.process !== null && !!g.process.versions?.node;
const useImmediate = !!hostSetImmediate && isNodeLike;
const channel = useImmediate ? undefined : channelSoon();
const soonImpl: (fn: () => void) => HostHandle =
  useImmediate ? (fn) => hostSetImmediate!(fn) : channel ?? ((fn) => hostSetTimeout(fn, 0));
/** Where HTML's nesting clamp applies (browsers and web workers) and a channel can dodge it. */
const dodgeClamp = !isNodeLike && !Deno && channel !== undefined;

function clearSoonImpl(h: HostHandle): void {
  if (h && typeof (h as { cancel?: () => void }).cancel === 'function') (h as { cancel: () => void }).cancel();
  else if (useImmediate) hostClearImmediate!(h);
  else hostClearTimeout(h);
}

/** Sets the ref state of a platform handle (Node/Bun Timeout or Immediate, Deno timer id). */
function refPlatform(h: HostHandle, on: boolean, soon: boolean): void {
  if (h === undefined || h === null) return;
  const t = h as { ref?: () => void; unref?: () => void };
  if (typeof t.unref === 'function') {
    if (on) t.ref!(); else t.unref();
  } else if (!soon && typeof h === 'number' && Deno && typeof Deno.unrefTimer === 'function') {
    if (on) Deno.refTimer(h); else Deno.unrefTimer(h);
  }
}

// ---- the platform timer's measured lateness -------------------------------------------

const late = new Float64Array(LATE_SAMPLES);
let lateAt = 0;

/**
 * Whole ms to take off a platform timer's delay: how late the typical recent one fired (the
 * lower median, so that neither a stalled loop nor an odd prompt firing moves it), at most
 * MAX_LEAD.
 */
function lead(): number {
  return Math.min(MAX_LEAD, Math.floor(late.slice().sort()[(LATE_SAMPLES >> 1) - 1]));
}

// ---- one wake-up -------------------------------------------------------------------------

/** The handle `host.set` returns: one wake-up `ms` from now on the host clock, armed at once. */
class Wake {
  /** The platform timer, or undefined. */
  _native: HostHandle;
  /** When the platform timer was armed and for how long, to measure its lateness. */
  _nativeAt = 0;
  _nativeMs = 0;
  /** A pending macrotask (poll step or clamp-dodging hop), or undefined. */
  _step: HostHandle;
  _keep = true;
  _done = false;
  declare readonly _fn: () => void;
  declare readonly _target: number;
  declare readonly _onNative: () => void;
  declare readonly _onStep: () => void;
  declare readonly _onHop: () => void;

  constructor(fn: () => void, ms: number) {
    this._fn = fn;
    this._target = hostNow() + ms;
    this._onNative = () => {
      this._native = undefined;
      const t = hostNow();
      late[lateAt] = t - (this._nativeAt + this._nativeMs);
      lateAt = (lateAt + 1) % LATE_SAMPLES;
      this._check(t);
    };
    this._onStep = () => {
      this._step = undefined;
      this._check(hostNow());
    };
    this._onHop = () => {
      this._step = undefined;
      if (!this._done) this._armNative(this._target - hostNow());
    };
    this._arm(ms);
  }

  _check(t: number): void {
    if (this._done) return;
    if (t >= this._target) {
      this._done = true;
      this._fn();
    } else {
      this._arm(this._target - t);
    }
  }

  _arm(rem: number): void {
    if (rem < POLL_MS) {
      this._step = soonImpl(this._onStep);
      if (!this._keep) refPlatform(this._step, false, true);
    } else if (dodgeClamp && rem < CLAMP_MS) {
      this._step = soonImpl(this._onHop); // a channel task: a timer set there is not nested
    } else {
      this._armNative(rem);
    }
  }

  _armNative(rem: number): void {
    const ms = Math.max(0, Math.min(Math.ceil(rem) - lead(), 0x7fff_ffff));
    this._nativeAt = hostNow();
    this._nativeMs = ms;
    this._native = hostSetTimeout(this._onNative, ms);
    if (!this._keep) refPlatform(this._native, false, false);
  }

  cancel(): void {
    this._done = true;
    if (this._native !== undefined) { hostClearTimeout(this._native); this._native = undefined; }
    if (this._step !== undefined) { clearSoonImpl(this._step); this._step = undefined; }
  }

  ref(on: boolean): void {
    this._keep = on;
    refPlatform(this._native, on, false);
    refPlatform(this._step, on, true);
  }
}

export const host: HostTimers = {
  set: (fn, ms) => new Wake(fn, ms),
  clear: (h) => {
    if (h instanceof Wake) h.cancel();
    else if (h !== undefined) hostClearTimeout(h);
  },
  soon: soonImpl,
  clearSoon: clearSoonImpl,
  ref: (h, on, soon) => {
    if (h instanceof Wake) h.ref(on);
    else refPlatform(h, on, soon);
  },
};

export const defaultClock: Clock = { now: hostNow };
