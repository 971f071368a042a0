// Interval on paused drivers: Tokio's documented examples, ports of tokio/tests/time_interval.rs,
// the missed-tick behaviors, the 5 ms grace, concurrency, iteration, reset, dispose, shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { Driver, HORIZON, Interval, MissedTickBehavior, ShutdownError } from '../src/index';
import { macrotask, paused, track, noUnhandledRejections } from './helpers/drivers';



/**
 * Tokio's `poll_tick` once: the tick if it is ready now, else 'pending' — and then the wait
 * is withdrawn (an iterator's return()), so no tick is consumed and no timer stays armed.
 */
async function poll(iv: Interval): Promise<number | 'pending'> {
  const it = iv[Symbol.asyncIterator]();
  let r: IteratorResult<number> | undefined;
  const p = it.next().then((x) => { r = x; });
  await macrotask();
  if (r !== undefined) return r.done ? Number.NaN : r.value;
  await it.return!();
  await p;
  return 'pending';
}

/** Tokio's check_interval_poll!: these ticks are ready, in order, then it is pending. */
async function check(iv: Interval, start: number, ...deltas: number[]): Promise<void> {
  for (const delta of deltas) expect(await poll(iv)).toBe(start + delta);
  expect(await poll(iv)).toBe('pending');
}

describe('Tokio documented examples', () => {
  it('interval(10): ticks at once, then every 10 ms; about 20 ms have elapsed', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(10);
    expect(await iv.tick()).toBe(0);
    expect(d.now()).toBe(0);
    expect(await iv.tick()).toBe(10);
    expect(await iv.tick()).toBe(20);
    expect(d.now()).toBe(20);
  });

  it('intervalAt(now + 50, 10): ticks at 50, 60, 70', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.intervalAt(d.now() + 50, 10);
    expect([await iv.tick(), await iv.tick(), await iv.tick()]).toEqual([50, 60, 70]);
    expect(d.now()).toBe(70);
  });

  it('every two seconds despite a one-second task (not every three)', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(2000);
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      await iv.tick();
      at.push(d.now());
      await d.sleep(1000); // task_that_takes_a_second
    }
    expect(at).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('Burst example: after a 200 ms task at period 50, four ticks come at once, then one per period', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(50);
    await iv.tick();
    await d.sleep(200);
    const got: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) got.push([await iv.tick(), d.now()]);
    expect(got).toEqual([[50, 200], [100, 200], [150, 200], [200, 200], [250, 250]]);
  });

  it('Delay example: after a > 50 ms task, the next tick is one period after the late one', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(50, { missedTickBehavior: MissedTickBehavior.Delay });
    await d.sleep(60);
    expect(await iv.tick()).toBe(0); // at once
    expect(d.now()).toBe(60);
    expect(await iv.tick()).toBe(110); // 50 ms after that call
    expect(d.now()).toBe(110);
  });

  it('Skip example: after a 75 ms task, the next tick is at 100 (25 ms later)', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(50);
    iv.missedTickBehavior = 'skip';
    await d.sleep(75);
    expect(await iv.tick()).toBe(0);
    expect(await iv.tick()).toBe(100);
    expect(d.now()).toBe(100);
  });

  it('reset example: ~250 ms have elapsed', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(100);
    await iv.tick();
    await d.sleep(50);
    iv.reset();
    await iv.tick();
    await iv.tick();
    expect(d.now()).toBe(250);
  });

  it('resetImmediately example: ~150 ms have elapsed', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(100);
    await iv.tick();
    await d.sleep(50);
    iv.resetImmediately();
    await iv.tick();
    await iv.tick();
    expect(d.now()).toBe(150);
  });
});

describe('ports of tokio/tests/time_interval.rs', () => {
  async function setup(mtb?: MissedTickBehavior) {
    const d = paused();
    const start = d.now();
    await d.advance(1);
    const iv = d.intervalAt(start, 300, mtb === undefined ? undefined : { missedTickBehavior: mtb });
    return { d, start, iv };
  }

  it('burst', async () => {
    const { d, start, iv } = await setup();
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(650); await check(iv, start, 600, 900);
    await d.advance(200); await check(iv, start);
    await d.advance(100); await check(iv, start, 1200);
    await d.advance(250); await check(iv, start, 1500);
    await d.advance(300); await check(iv, start, 1800);
  });

  it('delay', async () => {
    const { d, start, iv } = await setup('delay');
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(650); await check(iv, start, 600);
    await d.advance(100); await check(iv, start);
    await d.advance(201); await check(iv, start, 1251);
    await d.advance(300); await check(iv, start, 1551);
    await d.advance(300); await check(iv, start, 1851);
  });

  it('skip', async () => {
    const { d, start, iv } = await setup('skip');
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(650); await check(iv, start, 600);
    await d.advance(250); await check(iv, start, 1200);
    await d.advance(300); await check(iv, start, 1500);
    await d.advance(300); await check(iv, start, 1800);
  });

  it('reset', async () => {
    const { d, start, iv } = await setup();
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(100); await check(iv, start);
    iv.reset();
    await d.advance(250); await check(iv, start);
    await d.advance(50); await check(iv, start, 701);
    await d.advance(300); await check(iv, start, 1001);
  });

  it('reset_immediately', async () => {
    const { d, start, iv } = await setup();
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(100); await check(iv, start);
    iv.resetImmediately();
    await check(iv, start, 401);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 701);
  });

  it('reset_after', async () => {
    const { d, start, iv } = await setup();
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(100); await check(iv, start);
    iv.resetAfter(20);
    await d.advance(20); await check(iv, start, 421);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 721);
  });

  it('reset_at', async () => {
    const { d, start, iv } = await setup();
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(100); await check(iv, start);
    iv.resetAt(d.now() + 40);
    await d.advance(40); await check(iv, start, 441);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 741);
  });

  it('reset_at_bigger_than_interval', async () => {
    const { d, start, iv } = await setup();
    await check(iv, start, 0);
    await d.advance(100); await check(iv, start);
    await d.advance(200); await check(iv, start, 300);
    await d.advance(100); await check(iv, start);
    iv.resetAt(d.now() + 1000);
    await d.advance(300); await check(iv, start);
    await d.advance(300); await check(iv, start);
    await d.advance(300); await check(iv, start);
    await d.advance(100); await check(iv, start, 1401);
    await d.advance(300); await check(iv, start, 1701);
  });

  it('interval_doesnt_panic_max_duration_when_polling: a huge period ticks once, then waits', async () => {
    const d = paused();
    const iv = d.interval(Number.MAX_VALUE);
    expect(await poll(iv)).toBe(0);
    expect(await poll(iv)).toBe('pending');
    const p = iv.tick();
    expect(d.nextDeadline()).toBe(HORIZON); // the next tick, clamped to the horizon
    iv[Symbol.dispose]();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('a tick late by 2.5 periods (period 100, tick() called at 350)', () => {
  async function run(mtb: MissedTickBehavior) {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(100, { missedTickBehavior: mtb });
    expect(await iv.tick()).toBe(0);
    await d.sleep(350);
    const got: Array<[number, number]> = []; // [tick instant, clock when it resolved]
    for (let i = 0; i < 5; i++) got.push([await iv.tick(), d.now()]);
    return got;
  }

  it('burst: 100, 200, 300 at once, then 400, 500, … on schedule', async () => {
    expect(await run('burst')).toEqual([[100, 350], [200, 350], [300, 350], [400, 400], [500, 500]]);
  });

  it('delay: 100 at once, then every period from the late call: 450, 550, …', async () => {
    expect(await run('delay')).toEqual([[100, 350], [450, 450], [550, 550], [650, 650], [750, 750]]);
  });

  it('skip: 100 at once, then the next multiple of the period: 400, 500, …', async () => {
    expect(await run('skip')).toEqual([[100, 350], [400, 400], [500, 500], [600, 600], [700, 700]]);
  });
});

describe('the 5 ms grace', () => {
  it('a tick 5 ms late is not missed; 6 ms late is', async () => {
    const d = paused();
    const iv = d.intervalAt(0, 100, { missedTickBehavior: 'delay' });
    await d.advance(5);
    expect(await poll(iv)).toBe(0); // 5 ms late: next = 0 + 100
    await d.advance(95);
    await d.advance(6); // now 106: 6 ms late
    expect(await poll(iv)).toBe(100); // missed: next = 106 + 100
    await d.advance(99);
    expect(await poll(iv)).toBe('pending');
    await d.advance(1);
    expect(await poll(iv)).toBe(206);
  });
});

describe('waiting', () => {
  it('a due tick resolves in a microtask without arming a timer', async () => {
    const d = paused();
    const iv = d.interval(10);
    let got: number | undefined;
    iv.tick().then((v) => { got = v; });
    expect(d.stats().pending).toBe(0);
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toBe(0);
    expect(d.stats().fired).toBe(1);
  });

  it('arms one timer only while a tick is pending; an idle interval lets runUntilIdle finish', async () => {
    const d = paused();
    const iv = d.interval(10);
    await iv.tick();
    await d.runUntilIdle();
    expect(d.now()).toBe(0);
    expect(d.stats().pending).toBe(0);
    const p = iv.tick();
    expect(d.stats().pending).toBe(1);
    await d.runUntilIdle();
    expect(await p).toBe(10);
    expect(d.now()).toBe(10);
    expect(d.stats().pending).toBe(0);
  });

  it('concurrent tick() calls resolve in call order with successive ticks', async () => {
    const d = paused();
    const iv = d.interval(10);
    const order: number[] = [];
    const ps = [iv.tick(), iv.tick(), iv.tick(), iv.tick()];
    ps.forEach((p, i) => p.then(() => order.push(i)));
    expect(d.stats().pending).toBe(1); // one timer for the whole queue
    await d.advance(30);
    expect(await Promise.all(ps)).toEqual([0, 10, 20, 30]);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(d.stats()).toMatchObject({ pending: 0, fired: 4 });
  });

  it('waiters behind a timer that fires late take every due tick at once, by the rules', async () => {
    // A clock we move by hand, on a real (host-timer driven) driver: the timer armed for 10
    // runs when the clock already reads 35.
    let t = 0;
    const d = new Driver({ clock: { now: () => t } });
    track(d);
    const iv = d.interval(10);
    expect(await iv.tick()).toBe(0);
    const ps = [iv.tick(), iv.tick(), iv.tick(), iv.tick()];
    const got: number[] = [];
    ps.forEach((p) => p.then((v) => got.push(v)));
    t = 35;
    await new Promise((r) => setTimeout(r, 30));
    // 10 (35 > 15: burst, next 20), 20 (next 30), 30 (35 <= 35: on time, next 40); 40 waits.
    expect(got).toEqual([10, 20, 30]);
    expect(d.stats().pending).toBe(1);
    t = 40;
    await ps[3];
    expect(got).toEqual([10, 20, 30, 40]);
  });

  it('reset while a tick is pending re-arms the timer for the new instant', async () => {
    const d = paused();
    const iv = d.interval(100);
    await iv.tick();
    const p = iv.tick();
    let got: number | undefined;
    p.then((v) => { got = v; });
    await d.advance(10);
    iv.resetAfter(5);
    expect(d.stats().pending).toBe(1);
    await d.advance(4);
    expect(got).toBeUndefined();
    await d.advance(1);
    expect(got).toBe(15);
    iv.resetAt(Infinity); // clamped to now + HORIZON
    const q = iv.tick();
    expect(d.nextDeadline()).toBe(15 + HORIZON);
    iv[Symbol.dispose]();
    await expect(q).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('intervalAt with a start in the past ticks at once with that start (and counts as missed)', async () => {
    const d = paused();
    await d.advance(100);
    const iv = d.intervalAt(20, 30, { missedTickBehavior: 'skip' });
    expect(await poll(iv)).toBe(20);
    expect(await poll(iv)).toBe('pending'); // skip: 100 + 30 - (80 % 30) = 110
    await d.advance(10);
    expect(await poll(iv)).toBe(110);
  });

  it('intervalAt(Infinity) waits until the horizon', async () => {
    const d = paused();
    const iv = d.intervalAt(Infinity, 10);
    const p = iv.tick();
    expect(d.nextDeadline()).toBe(HORIZON);
    iv[Symbol.dispose]();
    await expect(p).rejects.toBeTruthy();
  });
});

describe('iteration', () => {
  it('for await yields tick instants; break stops it and leaves no timer', async () => {
    const d = paused({ autoAdvance: true });
    const iv = d.interval(25);
    const got: number[] = [];
    for await (const t of iv) {
      got.push(t);
      if (got.length === 4) break;
    }
    expect(got).toEqual([0, 25, 50, 75]);
    expect(d.stats().pending).toBe(0);
    expect(await iv.tick()).toBe(100); // the interval itself stays usable
  });

  it('return() while a next() is pending withdraws the wait: done, no tick consumed', async () => {
    const d = paused();
    const iv = d.interval(10);
    await iv.tick();
    const it = iv[Symbol.asyncIterator]();
    const pending = it.next();
    expect(d.stats().pending).toBe(1);
    await it.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(d.stats().pending).toBe(0);
    expect(await it.next()).toEqual({ value: undefined, done: true });
    await d.advance(10);
    expect(await iv.tick()).toBe(10);
  });
});

describe('dispose, signal, shutdown, properties', () => {
  it('[Symbol.dispose]() rejects pending ticks with AbortError, disarms, and later ticks reject too', async () => {
    const d = paused();
    const iv = d.interval(10);
    await iv.tick();
    const p = iv.tick();
    iv[Symbol.dispose]();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(iv.tick()).rejects.toMatchObject({ name: 'AbortError' });
    expect(d.stats()).toMatchObject({ pending: 0, cancelled: 1 });
  });

  it('an abort rejects pending and later ticks with the reason', async () => {
    const d = paused();
    const ac = new AbortController();
    const iv = d.interval(10, { signal: ac.signal });
    await iv.tick();
    const p = iv.tick();
    const reason = new Error('stop ticking');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    await expect(iv.tick()).rejects.toBe(reason);
    expect(d.stats().pending).toBe(0);
    const pre = d.interval(10, { signal: AbortSignal.abort(reason) });
    await expect(pre.tick()).rejects.toBe(reason);
  });

  it('shutdown rejects a pending tick with ShutdownError; creating throws; ticking rejects', async () => {
    const d = new Driver({ paused: true });
    const iv = d.interval(10);
    const idle = d.interval(10);
    await iv.tick();
    const p = iv.tick();
    d.shutdown();
    await expect(p).rejects.toBeInstanceOf(ShutdownError);
    await expect(iv.tick()).rejects.toBeInstanceOf(ShutdownError);
    await expect(idle.tick()).rejects.toBeInstanceOf(ShutdownError);
    expect(() => d.interval(10)).toThrow(ShutdownError);
    expect(() => d.intervalAt(0, 10)).toThrow(ShutdownError);
    expect(() => idle.reset()).toThrow(ShutdownError);
  });

  it('ticks cut short (dispose, abort, shutdown) that nobody awaits cause no unhandled rejection', async () => {
    await noUnhandledRejections(async () => {
      const d = paused();
      const a = d.interval(10);
      await a.tick();
      void a.tick();
      a[Symbol.dispose]();
      const ac = new AbortController();
      const b = d.interval(10, { signal: ac.signal });
      await b.tick();
      void b.tick();
      ac.abort(new Error('nobody awaits'));
      const d2 = new Driver({ paused: true });
      const c = d2.interval(10);
      await c.tick();
      void c.tick();
      d2.shutdown();
      await macrotask();
      await new Promise((r) => setTimeout(r, 5));
      await macrotask();
    });
  });

  it('so do iterator next() calls cut short the same way', async () => {
    await noUnhandledRejections(async () => {
      const d = paused();
      const a = d.interval(10);
      const ia = a[Symbol.asyncIterator]();
      await ia.next(); // the immediate first tick
      void ia.next();
      a[Symbol.dispose]();
      const ac = new AbortController();
      const ib = d.interval(10, { signal: ac.signal })[Symbol.asyncIterator]();
      await ib.next();
      void ib.next();
      ac.abort(new Error('nobody awaits'));
      const d2 = new Driver({ paused: true });
      const ic = d2.interval(10)[Symbol.asyncIterator]();
      await ic.next();
      const awaited = ic.next();
      d2.shutdown();
      await expect(awaited).rejects.toBeInstanceOf(ShutdownError); // an awaiter still sees it
      await macrotask();
      await new Promise((r) => setTimeout(r, 5));
      await macrotask();
    });
  });

  it('period, missedTickBehavior (default burst, settable, validated), the frozen enum', () => {
    const d = paused();
    const iv = d.interval(40);
    expect(iv.period).toBe(40);
    expect(iv.missedTickBehavior).toBe('burst');
    iv.missedTickBehavior = MissedTickBehavior.Skip;
    expect(iv.missedTickBehavior).toBe('skip');
    expect(() => { iv.missedTickBehavior = 'sometimes' as MissedTickBehavior; }).toThrow(RangeError);
    expect(() => { iv.missedTickBehavior = 3 as unknown as MissedTickBehavior; }).toThrow(TypeError);
    expect(iv.missedTickBehavior).toBe('skip');
    expect(MissedTickBehavior).toEqual({ Burst: 'burst', Delay: 'delay', Skip: 'skip' });
    expect(Object.isFrozen(MissedTickBehavior)).toBe(true);
    expect(d.intervalAt(5, 7, { missedTickBehavior: 'delay' }).missedTickBehavior).toBe('delay');
  });
});
