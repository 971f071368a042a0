// Where time comes from and how the driver wakes up.
//
// The clock: a driver reads `clock.now()` (default: performance.now) relative to its first
// reading, so instants start near 0; a reading lower than the last is replaced by the last
// (a clock that goes back stands still). The host: one platform timer armed for the next
// deadline; the platform functions are captured when this module loads, so that replacing
// globalThis.setTimeout (by this package's own façade, say) never loops back into us.

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
const soonImpl: (fn: () => void) => HostHandle =
  hostSetImmediate && isNodeLike ? (fn) => hostSetImmediate(fn)
    : channelSoon() ?? ((fn) => hostSetTimeout(fn, 0));

export const host: HostTimers = {
  set: (fn, ms) => hostSetTimeout(fn, ms),
  clear: (h) => hostClearTimeout(h),
  soon: soonImpl,
  clearSoon: (h) => {
    if (h && typeof (h as { cancel?: () => void }).cancel === 'function') (h as { cancel: () => void }).cancel();
    else if (hostSetImmediate && isNodeLike) hostClearImmediate!(h);
    else hostClearTimeout(h);
  },
  ref: (h, on, soon) => {
    if (h === undefined || h === null) return;
    const t = h as { ref?: () => void; unref?: () => void };
    if (typeof t.unref === 'function') {
      if (on) t.ref!(); else t.unref();
    } else if (!soon && typeof h === 'number' && Deno && typeof Deno.unrefTimer === 'function') {
      if (on) Deno.refTimer(h); else Deno.unrefTimer(h);
    }
  },
};

/** A macrotask boundary: every pending microtask has run when this resolves. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => { soonImpl(resolve); });
}

const perf: { now(): number } | undefined = g.performance;
export const defaultClock: Clock = perf && typeof perf.now === 'function'
  ? { now: () => perf.now() }
  : { now: () => Date.now() };
