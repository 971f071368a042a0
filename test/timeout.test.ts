// timeout / timeoutAt on paused drivers: who wins, what is left behind, signals, shutdown.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Driver, ShutdownError, TimeoutError, timeout as moduleTimeout } from '../src/index';
import { macrotask, paused, noUnhandledRejections } from './helpers/drivers';


function watch(p: PromiseLike<unknown>) {
  const w = { state: 'pending' as 'pending' | 'resolved' | 'rejected', value: undefined as unknown };
  p.then((v) => { w.state = 'resolved'; w.value = v; }, (e) => { w.state = 'rejected'; w.value = e; });
  return w;
}

/** A promise settled by hand. */
function manual<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}


describe('Tokio example', () => {
  it('"did not receive value within 10 ms": a value that never comes times out at 10', async () => {
    const d = paused({ autoAdvance: true });
    const rx = new Promise<number>(() => {}); // the sender is never used
    const err = await d.timeout(10, rx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect(d.now()).toBe(10);
  });
});

describe('who wins', () => {
  it('the work: resolves with its value and the timer is gone at once', async () => {
    const d = paused();
    d.sleep(1000); // an unrelated timer
    const before = d.stats();
    const work = manual<string>();
    const w = watch(d.timeout(100, work.promise));
    await macrotask();
    expect(d.stats().pending).toBe(before.pending + 1);
    await d.advance(50);
    work.resolve('done');
    await macrotask();
    expect(w).toMatchObject({ state: 'resolved', value: 'done' });
    expect(d.stats().pending).toBe(before.pending);
    expect(d.stats().cancelled).toBe(before.cancelled + 1);
    await d.advance(100);
    expect(d.stats().fired).toBe(before.fired); // the timeout's timer never ran
  });

  it('the work, by rejecting: rejects with its error, timer gone', async () => {
    const d = paused();
    const work = manual<string>();
    const w = watch(d.timeout(100, work.promise));
    const boom = new Error('boom');
    work.reject(boom);
    await macrotask();
    expect(w).toMatchObject({ state: 'rejected', value: boom });
    expect(d.stats().pending).toBe(0);
  });

  it('the clock: rejects with TimeoutError at the deadline, not before; the work runs on', async () => {
    const d = paused();
    const work = manual<string>();
    const w = watch(d.timeout(100, work.promise));
    await d.advance(99);
    expect(w.state).toBe('pending');
    await d.advance(1);
    expect(w.state).toBe('rejected');
    expect(w.value).toBeInstanceOf(TimeoutError);
    expect(d.stats()).toMatchObject({ pending: 0, fired: 1 });
    work.resolve('late'); // ignored
    await macrotask();
    expect(w.value).toBeInstanceOf(TimeoutError);
  });

  it('a work that rejects after the timeout does not surface as an unhandled rejection', async () => {
    await noUnhandledRejections(async () => {
      const d = paused();
      const work = manual<string>();
      const outcome = d.timeout(5, work.promise).catch((e: unknown) => e);
      await d.advance(5);
      expect(await outcome).toBeInstanceOf(TimeoutError);
      work.reject(new Error('late failure'));
      await macrotask();
      await macrotask();
    });
  });

  it('an already-settled work wins even with a zero timeout (polled first, as in Tokio)', async () => {
    const d = paused();
    const w = watch(d.timeout(0, Promise.resolve(7)));
    await d.advance(0);
    await d.advance(1);
    expect(w).toMatchObject({ state: 'resolved', value: 7 });
    expect(d.stats()).toMatchObject({ pending: 0, fired: 0 });
  });

  it('timeoutAt: the clock wins exactly at the instant', async () => {
    const d = paused();
    await d.advance(10);
    const w = watch(d.timeoutAt(42, new Promise(() => {})));
    await d.advance(31);
    expect(w.state).toBe('pending');
    await d.advance(1);
    expect(w.value).toBeInstanceOf(TimeoutError);
  });

  it('timeoutAt a past instant times out in the next pass (an unsettled work)', async () => {
    const d = paused();
    await d.advance(10);
    const w = watch(d.timeoutAt(3, new Promise(() => {})));
    await macrotask();
    expect(w.state).toBe('pending');
    await d.advance(0);
    expect(w.value).toBeInstanceOf(TimeoutError);
  });

  it('an infinite timeout is clamped to the horizon: the work wins', async () => {
    const d = paused();
    const work = manual<number>();
    const w = watch(d.timeout(Infinity, work.promise));
    await d.advance(3_600_000);
    work.resolve(1);
    await macrotask();
    expect(w).toMatchObject({ state: 'resolved', value: 1 });
    expect(d.stats().pending).toBe(0);
  });

  it('races a thenable (a Sleep) as well as a promise', async () => {
    const d = paused();
    const w1 = watch(d.timeout(20, d.sleep(10)));
    const w2 = watch(d.timeout(10, d.sleep(20)));
    await d.advance(30);
    expect(w1.state).toBe('resolved');
    expect(w2.value).toBeInstanceOf(TimeoutError);
  });
});

describe('a work and a clock due in the same tick', () => {
  // Tokio polls the work before the deadline, so a work ready at the deadline wins. In real
  // time both timers fire in one pass and the work's continuation runs after it; the verdict
  // waits for it. Both deadlines here are fixed by the same checkpoint's clock reading.
  it('in real time the work wins, whichever of the two timers was armed first', async () => {
    const d = new Driver();
    try {
      const first = d.timeout(10, d.sleep(10).then(() => 'work armed first'));
      const gate = manual<string>();
      const second = d.timeout(10, gate.promise);
      d.sleep(10).then(() => gate.resolve('work armed after'));
      await expect(first).resolves.toBe('work armed first');
      await expect(second).resolves.toBe('work armed after');
      expect(d.stats().pending).toBe(0);
    } finally {
      d.shutdown();
    }
  });

  it('on a paused driver the work armed first wins too', async () => {
    const d = paused();
    const w = watch(d.timeout(10, d.sleep(10).then(() => 'work')));
    await d.advance(10);
    expect(w).toEqual({ state: 'resolved', value: 'work' });
  });

  it('a work still pending after the pass loses: TimeoutError', async () => {
    const d = new Driver();
    try {
      const gate = manual<string>();
      const t = d.timeout(10, gate.promise);
      d.sleep(10).then(() => setTimeout(() => gate.resolve('too late'), 0)); // a macrotask later
      await expect(t).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      d.shutdown();
    }
  });
});

describe('work functions', () => {
  it('are called synchronously, once', async () => {
    const d = paused();
    const fn = vi.fn(() => Promise.resolve('x'));
    const p = d.timeout(10, fn);
    expect(fn).toHaveBeenCalledTimes(1);
    await expect(p).resolves.toBe('x');
  });

  it('a function that throws rejects the promise with its error; no timer is armed', async () => {
    const d = paused();
    const boom = new Error('sync');
    const p = d.timeout(10, () => { throw boom; });
    expect(d.stats().pending).toBe(0);
    await expect(p).rejects.toBe(boom);
  });

  it('a function returning a plain value resolves with it', async () => {
    const d = paused();
    await expect(d.timeout(10, (() => 5) as unknown as () => Promise<number>)).resolves.toBe(5);
    expect(d.stats().pending).toBe(0);
  });

  it('the module-level timeout uses the default driver', async () => {
    await expect(moduleTimeout(1000, Promise.resolve('ok'))).resolves.toBe('ok');
  });
});

describe('signals', () => {
  it('an abort rejects with the reason and cancels the timer', async () => {
    const d = paused();
    const ac = new AbortController();
    const removed = vi.spyOn(ac.signal, 'removeEventListener');
    const w = watch(d.timeout(100, new Promise(() => {}), { signal: ac.signal }));
    await d.advance(10);
    const reason = new Error('user gave up');
    ac.abort(reason);
    await macrotask();
    expect(w).toMatchObject({ state: 'rejected', value: reason });
    expect(d.stats()).toMatchObject({ pending: 0, cancelled: 1 });
    expect(removed).toHaveBeenCalled();
  });

  it('an already-aborted signal rejects at once: the work is not started, no timer', async () => {
    const d = paused();
    const fn = vi.fn(() => Promise.resolve(1));
    const reason = new Error('before');
    const p = d.timeout(100, fn, { signal: AbortSignal.abort(reason) });
    expect(fn).not.toHaveBeenCalled();
    expect(d.stats().pending).toBe(0);
    await expect(p).rejects.toBe(reason);
  });

  it('the listener goes when the work wins', async () => {
    const d = paused();
    const ac = new AbortController();
    const removed = vi.spyOn(ac.signal, 'removeEventListener');
    await d.timeout(100, Promise.resolve(1), { signal: ac.signal });
    expect(removed).toHaveBeenCalledTimes(1);
    ac.abort(); // no effect, no error
  });

  it('an aborted timeout that nobody awaits causes no unhandled rejection', async () => {
    await noUnhandledRejections(async () => {
      const d = paused();
      const ac = new AbortController();
      d.timeout(100, new Promise(() => {}), { signal: ac.signal });
      ac.abort(new Error('nobody awaits'));
      d.timeout(100, new Promise(() => {}), { signal: AbortSignal.abort() });
      const d2 = new Driver({ paused: true });
      d2.timeout(100, new Promise(() => {}));
      d2.shutdown();
      await macrotask();
      await new Promise((r) => setTimeout(r, 5));
      await macrotask();
    });
  });
});

describe('shutdown', () => {
  it('rejects a pending timeout with ShutdownError; new ones throw without calling the work', async () => {
    const d = new Driver({ paused: true });
    const w = watch(d.timeout(100, new Promise(() => {})));
    await macrotask();
    d.shutdown();
    await macrotask();
    expect(w.state).toBe('rejected');
    expect(w.value).toBeInstanceOf(ShutdownError);
    const fn = vi.fn(() => Promise.resolve(1));
    expect(() => d.timeout(1, fn)).toThrow(ShutdownError);
    expect(() => d.timeoutAt(1, fn)).toThrow(ShutdownError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('a work function that shuts the driver down gets a ShutdownError, not a throw', async () => {
    const d = new Driver({ paused: true });
    const p = d.timeout(10, () => { d.shutdown(); return new Promise(() => {}); });
    await expect(p).rejects.toBeInstanceOf(ShutdownError);
  });
});
