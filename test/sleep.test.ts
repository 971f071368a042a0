// Sleep (sleep / sleepUntil) on paused drivers: Tokio's examples, deadlines, reset, cancel,
// signals, ref, shutdown, and no stray rejections.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DelayQueue, Driver, HORIZON, ShutdownError, Sleep, sleep as moduleSleep, now as moduleNow } from '../src/index';
import { macrotask, paused, track, noUnhandledRejections } from './helpers/drivers';


/** Watches a thenable: `.state` is 'pending' until it settles. */
function watch(p: PromiseLike<unknown>) {
  const w = { state: 'pending' as 'pending' | 'resolved' | 'rejected', value: undefined as unknown, at: NaN };
  p.then((v) => { w.state = 'resolved'; w.value = v; }, (e) => { w.state = 'rejected'; w.value = e; });
  return w;
}


describe('Tokio examples', () => {
  it('sleep(100) completes 100 ms later', async () => {
    const d = paused({ autoAdvance: true });
    await d.sleep(100);
    expect(d.now()).toBe(100);
  });

  it('sleepUntil(now + 100) completes at that instant', async () => {
    const d = paused({ autoAdvance: true });
    await d.advance(7);
    await d.sleepUntil(d.now() + 100);
    expect(d.now()).toBe(107);
  });

  it('the select!-loop example: reset from the completion, every 50 ms', async () => {
    const d = paused();
    const s = d.sleep(10);
    const log: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await s;
        log.push(d.now());
        s.reset(d.now() + 50);
      }
    })();
    await d.advance(200);
    await loop;
    expect(log).toEqual([10, 60, 110]);
    // The third completion re-armed it for 160, inside the 200 ms window: it elapsed again.
    expect(s.deadline).toBe(160);
    expect(s.isElapsed).toBe(true);
    expect(d.stats().fired).toBe(4);
  });

  it('the module-level sleep runs on the default driver in real time', async () => {
    const t0 = moduleNow();
    await moduleSleep(3);
    expect(moduleNow() - t0).toBeGreaterThanOrEqual(3);
  });
});

describe('deadline and elapsing', () => {
  it('is never early: pending at deadline - 1, resolved at the deadline', async () => {
    const d = paused();
    const s = d.sleep(10);
    const w = watch(s);
    expect(s.isElapsed).toBe(false);
    await d.advance(9);
    expect(w.state).toBe('pending');
    expect(s.isElapsed).toBe(false);
    await d.advance(1);
    expect(w.state).toBe('resolved');
    expect(s.isElapsed).toBe(true);
    expect(d.stats().fired).toBe(1);
  });

  it('reports the requested instant, not the rounded tick, and fires at the tick', async () => {
    const d = paused();
    const s = d.sleepUntil(10.5);
    expect(s.deadline).toBe(10.5);
    const w = watch(s);
    await d.advance(10.6);
    expect(w.state).toBe('pending'); // the tick is 11
    await d.advance(0.4);
    expect(w.state).toBe('resolved');
  });

  it('fixes a relative deadline at the call, as Tokio does', async () => {
    let t = 1000;
    const d = new Driver({ clock: { now: () => t } });
    track(d);
    t = 1005; // driver time 5
    const a = d.sleep(10);
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('k', 10);
    const e = d.entry(Infinity);
    const u = d.sleepUntil(Infinity);
    const to = d.timeout(10, new Promise<void>(() => {})).catch((err: Error) => err.name);
    const id = d.setTimeout(() => {}, 10);
    t = 1007; // synchronous work before the checkpoint
    expect(a.deadline).toBe(15);
    expect(q.deadline(k)).toBe(15);
    expect(e.deadline).toBe(5 + HORIZON);
    expect(u.deadline).toBe(5 + HORIZON);
    q.reset(k, 20);
    expect(q.deadline(k)).toBe(27); // reset with ms: from this call's reading
    await Promise.resolve(); // the checkpoint
    expect(a.deadline).toBe(15);
    d.clearTimeout(id);
    const id2 = d.setTimeout(() => {}, 3);
    t = 1009;
    expect(d.nextDeadline()).toBe(10); // with a custom clock the façade counts from its call too
    d.clearTimeout(id2);
    t = 1015; // due: fires by the next pass, not 2 ms later
    await new Promise((r) => setTimeout(r, 20));
    expect(a.isElapsed).toBe(true);
    expect(await to).toBe('TimeoutError');
    expect(q.pollExpired()).toBeUndefined(); // reset to 27
    q.clear();
    e.cancel();
    u.cancel();
    u.catch(() => {});
  });

  it('clamps huge and infinite delays to now + HORIZON', async () => {
    const d = paused();
    await d.advance(5);
    expect(d.sleep(Infinity).deadline).toBe(5 + HORIZON);
    expect(d.sleep(2 ** 40).deadline).toBe(5 + HORIZON);
    expect(d.sleep(HORIZON).deadline).toBe(5 + HORIZON);
    expect(d.sleep(HORIZON - 1).deadline).toBe(4 + HORIZON);
    expect(d.sleepUntil(Infinity).deadline).toBe(5 + HORIZON);
    expect(d.sleepUntil(HORIZON + 1000).deadline).toBe(5 + HORIZON);
    expect(d.sleepUntil(HORIZON).deadline).toBe(HORIZON);
  });

  it('a past or zero deadline completes in the next pass, never synchronously', async () => {
    const d = paused();
    await d.advance(50);
    const a = d.sleepUntil(-5);
    const b = d.sleep(0);
    expect(a.deadline).toBe(-5);
    expect(b.deadline).toBe(50);
    expect(a.isElapsed).toBe(false);
    const wa = watch(a);
    const wb = watch(b);
    await macrotask();
    expect(wa.state).toBe('pending');
    await d.advance(0);
    expect([wa.state, wb.state]).toEqual(['resolved', 'resolved']);
  });

  it('completes sleeps in deadline order, ties in creation order', async () => {
    const d = paused();
    const log: string[] = [];
    for (const [name, ms] of [['a', 30], ['b', 10], ['c', 20], ['d', 10], ['e', 0]] as const) {
      d.sleep(ms).then(() => log.push(`${name}@${d.now()}`));
    }
    await d.advance(40);
    expect(log).toEqual(['e@0', 'b@10', 'd@10', 'c@20', 'a@30']);
  });

  it('uses exactly one wheel entry per sleep, also across resets', async () => {
    const d = paused();
    const base = d.stats();
    const s = d.sleep(100);
    expect(d.stats().pending).toBe(base.pending + 1);
    s.reset(50);
    s.reset(500);
    await macrotask();
    expect(d.stats().pending).toBe(base.pending + 1);
    expect(d.stats().cancelled).toBe(base.cancelled); // resets count as neither
    await d.advance(500);
    expect(d.stats().pending).toBe(base.pending);
    expect(d.stats().fired).toBe(base.fired + 1);
  });
});

describe('reset', () => {
  it('earlier: completes at the new deadline', async () => {
    const d = paused();
    const s = d.sleep(100);
    const w = watch(s);
    s.reset(30);
    expect(s.deadline).toBe(30);
    await d.advance(29);
    expect(w.state).toBe('pending');
    await d.advance(1);
    expect(w.state).toBe('resolved');
    expect(d.now()).toBe(30);
  });

  it('later: an await already in progress waits for the new deadline', async () => {
    const d = paused();
    const s = d.sleep(10);
    const w = watch(s);
    await d.advance(5);
    s.reset(50);
    await d.advance(10);
    expect(w.state).toBe('pending');
    expect(s.isElapsed).toBe(false);
    await d.advance(34);
    expect(w.state).toBe('pending');
    await d.advance(1);
    expect(w.state).toBe('resolved');
  });

  it('after elapsing: re-arms, and a new await waits for the new deadline', async () => {
    const d = paused();
    const s = d.sleep(10);
    const first = watch(s);
    await d.advance(10);
    expect(first.state).toBe('resolved');
    expect(s.isElapsed).toBe(true);
    s.reset(25);
    expect(s.isElapsed).toBe(false);
    expect(s.deadline).toBe(25);
    const second = watch(s);
    await d.advance(14);
    expect(second.state).toBe('pending');
    await d.advance(1);
    expect(second.state).toBe('resolved');
    expect(s.isElapsed).toBe(true);
    expect(d.stats().fired).toBe(2);
  });

  it('after elapsing, a plain `await` (the native fast path) also waits for the new deadline', async () => {
    const d = paused();
    const s = d.sleep(10);
    await d.advance(10);
    await s;
    s.reset(30);
    let done = false;
    const waiter = (async () => { await s; done = true; })();
    await d.advance(19);
    expect(done).toBe(false);
    await d.advance(1);
    await waiter;
    expect(done).toBe(true);
    s.reset(40); // and once more: each reset after completion waits again
    let again = false;
    const w2 = (async () => { await s; again = true; })();
    await d.advance(9);
    expect(again).toBe(false);
    await d.advance(1);
    await w2;
    expect(again).toBe(true);
  });

  it('elapsed, then reset with an aborted signal: a new await rejects with the reason', async () => {
    const d = paused();
    const ac = new AbortController();
    const s = d.sleep(10, { signal: ac.signal });
    await d.advance(10);
    await s;
    ac.abort(new Error('gone'));
    s.reset(20);
    await expect(s).rejects.toThrow('gone');
    expect(d.stats().pending).toBe(0);
  });

  it('after cancel: re-arms with a fresh promise', async () => {
    const d = paused();
    const s = d.sleep(10);
    s.cancel();
    await expect(s).rejects.toMatchObject({ name: 'AbortError' });
    s.reset(20);
    const w = watch(s);
    await d.advance(20);
    expect(w.state).toBe('resolved');
  });

  it('a sleep reset by an earlier callback of the same batch does not complete in it', async () => {
    const d = paused();
    let s!: Sleep;
    d.setTimeout(() => s.reset(40), 10); // armed first, so it runs first at tick 10
    s = d.sleep(10);
    const w = watch(s);
    await d.advance(10);
    expect(w.state).toBe('pending');
    expect(s.isElapsed).toBe(false);
    await d.advance(29);
    expect(w.state).toBe('pending');
    await d.advance(1);
    expect(w.state).toBe('resolved');
  });

  it('later, outside callbacks, in order with the timers around it: ties fire in re-arming order', async () => {
    // An in-place reset made outside callbacks is a record of the checkpoint's queue, like
    // refreshTimeout: it takes its place in line where it was made.
    const d = paused();
    const log: string[] = [];
    const s = d.sleep(10);
    void s.then(() => log.push('sleep'));
    d.setTimeout(() => log.push('a'), 30);
    await d.advance(5);
    d.setTimeout(() => log.push('b'), 25); // due at 30, armed before the reset
    s.reset(30); // later than 10: re-armed in place
    d.setTimeout(() => log.push('c'), 25); // due at 30, armed after it
    expect(s.deadline).toBe(30);
    await d.advance(25);
    expect(log).toEqual(['a', 'b', 'sleep', 'c']);
    expect(d.stats().pending).toBe(0);
  });
});

describe('cancel, dispose and signals', () => {
  it('cancel() rejects with an AbortError and disarms the timer', async () => {
    const d = paused();
    const s = d.sleep(10);
    const w = watch(s);
    s.cancel();
    s.cancel(); // idempotent
    await macrotask();
    expect(w.state).toBe('rejected');
    expect((w.value as Error).name).toBe('AbortError');
    expect(d.stats()).toMatchObject({ pending: 0, cancelled: 1 });
    await d.advance(20);
    expect(d.stats().fired).toBe(0);
  });

  it('cancel() after it elapsed is a no-op', async () => {
    const d = paused();
    const s = d.sleep(10);
    await d.advance(10);
    s.cancel();
    await expect(s).resolves.toBeUndefined();
    expect(s.isElapsed).toBe(true);
    expect(d.stats().cancelled).toBe(0);
  });

  it('is a native Promise whose then/catch/finally return plain Promises', async () => {
    const d = paused();
    const s = d.sleep(10);
    expect(s).toBeInstanceOf(Promise);
    expect(s).toBeInstanceOf(Sleep);
    expect(s.constructor).toBe(Promise); // what lets `await` take V8's fast path
    expect(Promise.resolve(s)).toBe(s);
    const t = s.then(() => 1);
    expect(Object.getPrototypeOf(t)).toBe(Promise.prototype);
    expect(Object.getPrototypeOf(s.catch(() => 0))).toBe(Promise.prototype);
    expect(Object.getPrototypeOf(s.finally(() => 0))).toBe(Promise.prototype);
    await d.advance(10);
    expect(await t).toBe(1);
    // Promise's statics called on Sleep build plain promises rather than failing.
    expect(await (Sleep as unknown as PromiseConstructor).resolve(5)).toBe(5);
  });

  it('has catch() and finally() besides then()', async () => {
    const d = paused();
    const s = d.sleep(10);
    s.cancel();
    expect(await s.catch((e: Error) => e.name)).toBe('AbortError');
    let ran = 0;
    const ok = d.sleep(5);
    const f = ok.finally(() => { ran++; });
    await d.advance(5);
    await f;
    expect(ran).toBe(1);
  });

  it('[Symbol.dispose]() cancels', async () => {
    const d = paused();
    const s = d.sleep(10);
    s[Symbol.dispose]();
    await expect(s).rejects.toMatchObject({ name: 'AbortError' });
    expect(d.stats().pending).toBe(0);
  });

  it('an abort rejects with the signal reason, disarms, and removes the listener', async () => {
    const d = paused();
    const ac = new AbortController();
    const removed = vi.spyOn(ac.signal, 'removeEventListener');
    const s = d.sleep(10, { signal: ac.signal });
    const w = watch(s);
    const reason = new Error('stop');
    ac.abort(reason);
    await macrotask();
    expect(w.state).toBe('rejected');
    expect(w.value).toBe(reason);
    expect(d.stats()).toMatchObject({ pending: 0, cancelled: 1 });
    expect(removed).toHaveBeenCalled();
  });

  it('an abort without a reason rejects with an AbortError', async () => {
    const d = paused();
    const ac = new AbortController();
    const s = d.sleep(10, { signal: ac.signal });
    ac.abort();
    await expect(s).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an already-aborted signal: rejected at once, nothing armed', async () => {
    const d = paused();
    const reason = { why: 'already' };
    const s = d.sleepUntil(10, { signal: AbortSignal.abort(reason) });
    expect(d.stats().pending).toBe(0);
    expect(s.isElapsed).toBe(false);
    expect(s.deadline).toBe(10);
    await expect(s).rejects.toBe(reason);
    s.reset(20); // bound to an aborted signal: stays rejected
    expect(d.stats().pending).toBe(0);
    await expect(s).rejects.toBe(reason);
  });

  it('the listener is removed when the sleep elapses; a later abort changes nothing', async () => {
    const d = paused();
    const ac = new AbortController();
    const removed = vi.spyOn(ac.signal, 'removeEventListener');
    const s = d.sleep(10, { signal: ac.signal });
    const w = watch(s);
    await d.advance(10);
    expect(removed).toHaveBeenCalledTimes(1);
    ac.abort();
    await macrotask();
    expect(w.state).toBe('resolved');
    expect(s.isElapsed).toBe(true);
  });

  it('a cancelled, aborted or shut-down sleep that nobody awaits causes no unhandled rejection', async () => {
    await noUnhandledRejections(async () => {
      const d = paused();
      d.sleep(10).cancel();
      d.sleep(10)[Symbol.dispose]();
      const ac = new AbortController();
      d.sleep(10, { signal: ac.signal });
      ac.abort(new Error('nobody listens'));
      d.sleep(10, { signal: AbortSignal.abort() });
      const d2 = new Driver({ paused: true });
      d2.sleep(10);
      d2.shutdown();
      await macrotask();
      await new Promise((r) => setTimeout(r, 5));
      await macrotask();
    });
  });
});

describe('ref, shutdown', () => {
  it('{ ref: false } arms an unref\'d entry (and reset keeps it so)', async () => {
    const d = paused();
    const core = (d as unknown as { _core: { _ctrl: Int32Array } })._core;
    const a = d.sleep(10, { ref: false });
    expect(core._ctrl[3 /* C_REFS */]).toBe(0);
    a.reset(20);
    expect(core._ctrl[3 /* C_REFS */]).toBe(0);
    d.sleep(10);
    expect(core._ctrl[3 /* C_REFS */]).toBe(1);
    d.sleepUntil(10, { ref: true });
    expect(core._ctrl[3 /* C_REFS */]).toBe(2);
  });

  it('shutdown rejects pending sleeps with ShutdownError; new ones throw synchronously', async () => {
    const d = new Driver({ paused: true });
    const s = d.sleep(10);
    const rel = d.sleep(Infinity);
    const w = watch(s);
    const done = d.sleep(0);
    await d.advance(0);
    d.shutdown();
    await macrotask();
    expect(w.state).toBe('rejected');
    expect(w.value).toBeInstanceOf(ShutdownError);
    expect((w.value as Error).name).toBe('ShutdownError');
    await expect(done).resolves.toBeUndefined(); // it had elapsed before
    expect(rel.deadline).toBe(HORIZON);
    expect(() => d.sleep(1)).toThrow(ShutdownError);
    expect(() => d.sleepUntil(1)).toThrow(ShutdownError);
    expect(() => s.reset(50)).toThrow(ShutdownError);
    s.cancel(); // harmless
    expect(d.stats().pending).toBe(0);
  });
});
