// DelayQueue on paused drivers: tokio-util's documented examples and tests, keys (stale,
// reused slots), expiry order with 10^5 items against a sorted model, peek, next() and
// iteration, close / clear, shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { DelayQueue, Driver, HORIZON, ShutdownError, type Expired, type Key } from '../src/index';
import { macrotask, paused, noUnhandledRejections } from './helpers/drivers';



function drain<T>(q: DelayQueue<T>): T[] {
  const out: T[] = [];
  for (let e = q.pollExpired(); e !== undefined; e = q.pollExpired()) out.push(e.value);
  return out;
}

/** A small seeded PRNG (mulberry32), so the big test is the same every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('tokio-util documented examples', () => {
  it('insert_at / insert, then remove', () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k1 = q.insertAt('foo', d.now() + 5000);
    expect(q.remove(k1).value).toBe('foo');
    const k2 = q.insert('foo', 5000);
    expect(q.remove(k2)).toEqual({ value: 'foo', deadline: 5000 });
    expect(q.size).toBe(0);
  });

  it('deadline(key1) < deadline(key2)', () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k1 = q.insert('foo', 5000);
    const k2 = q.insert('bar', 10000);
    expect(q.deadline(k1)).toBeLessThan(q.deadline(k2));
  });

  it('tryRemove: the item, then undefined', () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 5000);
    expect(q.tryRemove(k)?.value).toBe('foo');
    expect(q.tryRemove(k)).toBeUndefined();
  });

  it('resetAt: "foo" is now returned in 10 seconds', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 5000);
    q.resetAt(k, d.now() + 10000);
    expect(q.deadline(k)).toBe(10000);
    await d.advance(9999);
    expect(q.pollExpired()).toBeUndefined();
    await d.advance(1);
    expect(q.pollExpired()).toEqual({ key: k, value: 'foo', deadline: 10000 });
  });

  it('reset: relative to now', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 5000);
    await d.advance(1000);
    q.reset(k, 10000);
    expect(q.deadline(k)).toBe(11000);
  });

  it('clear empties it', () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 5000);
    expect(q.size).toBe(1);
    q.clear();
    expect(q.size).toBe(0);
    expect(() => q.remove(k)).toThrow(RangeError);
    expect(d.stats()).toMatchObject({ pending: 0, cancelled: 1 });
  });

  it('peek: the key that expires next', () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    q.insert('foo', 10000);
    const k2 = q.insert('bar', 5000);
    q.insert('baz', 15000);
    expect(q.peek()).toBe(k2);
  });

  it('the cache example: expirations purge entries', async () => {
    const d = paused();
    const entries = new Map<string, [string, Key]>();
    const expirations = new DelayQueue<string>({ driver: d });
    const insert = (k: string, v: string) => entries.set(k, [v, expirations.insert(k, 30_000)]);
    const remove = (k: string) => {
      const e = entries.get(k);
      if (e) { entries.delete(k); expirations.remove(e[1]); }
    };
    insert('a', '1');
    await d.advance(10_000);
    insert('b', '2');
    insert('c', '3');
    remove('c');
    await d.advance(20_000);
    for (let e = expirations.pollExpired(); e; e = expirations.pollExpired()) entries.delete(e.value);
    expect([...entries.keys()]).toEqual(['b']);
    await d.advance(10_000);
    for (let e = expirations.pollExpired(); e; e = expirations.pollExpired()) entries.delete(e.value);
    expect(entries.size).toBe(0);
  });
});

describe('ports of tokio-util/tests/time_delay_queue.rs', () => {
  it('multi_delay_at_start: yielded in deadline order as the clock passes each', async () => {
    const d = paused();
    const q = new DelayQueue<number>({ driver: d });
    const delays = [80, 20, 60, 40, 0, 100];
    for (const ms of delays) q.insert(ms, ms);
    const seen: Array<[number, number]> = [];
    for (let t = 0; t <= 100; t++) {
      await d.advance(t === 0 ? 0 : 1);
      for (let e = q.pollExpired(); e; e = q.pollExpired()) seen.push([e.value, d.now()]);
    }
    expect(seen).toEqual([[0, 0], [20, 20], [40, 40], [60, 60], [80, 80], [100, 100]]);
  });

  it('insert_in_past_fires_immediately (in the next pass)', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    await d.advance(10);
    q.insertAt('foo', 5);
    await d.advance(0);
    expect(q.pollExpired()).toMatchObject({ value: 'foo', deadline: 5 });
  });

  it('remove_entry / remove_expired_item: an expired item not yet yielded can be removed', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 0);
    await d.advance(10);
    expect(q.size).toBe(1);
    expect(q.remove(k)).toEqual({ value: 'foo', deadline: 0 });
    expect(q.pollExpired()).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('reset_entry / reset_much_later / reset_twice', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 100);
    await d.advance(50);
    q.reset(k, 100); // now 150
    q.reset(k, 1000); // twice: the last one wins → 1050
    q.reset(k, 200); // → 250
    await d.advance(199);
    expect(q.pollExpired()).toBeUndefined();
    await d.advance(1);
    expect(q.pollExpired()).toEqual({ key: k, value: 'foo', deadline: 250 });
    expect(d.stats().pending).toBe(0);
  });

  it('repeatedly_reset_entry_inserted_as_expired / reset_inserted_expired', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    await d.advance(100);
    const k = q.insertAt('foo', 50);
    await d.advance(0); // it expired (not yielded)
    q.resetAt(k, 400);
    q.resetAt(k, 300);
    q.resetAt(k, 200);
    await d.advance(99);
    expect(q.pollExpired()).toBeUndefined();
    await d.advance(1);
    expect(q.pollExpired()?.deadline).toBe(200);
  });

  it('reset_first_expiring_item_to_expire_later', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const one = q.insertAt('one', 200);
    q.insertAt('two', 250);
    q.resetAt(one, 300);
    await d.advance(250);
    expect(drain(q)).toEqual(['two']);
    await d.advance(50);
    expect(drain(q)).toEqual(['one']);
  });

  it('expire_first/second_key_when_reset_to_expire_earlier', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    q.insertAt('one', 200);
    const two = q.insertAt('two', 250);
    q.resetAt(two, 100);
    await d.advance(100);
    expect(drain(q)).toEqual(['two']);
  });

  it('remove_at_timer_wheel_threshold / item_expiry_greater_than_wheel', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k1 = q.insert('foo', 64);
    const k2 = q.insert('bar', 64);
    await d.advance(80);
    expect(q.remove(k1).value).toBe('foo');
    expect(q.remove(k2).value).toBe('bar');
    const far = q.insert('far', 2 ** 40); // beyond the horizon: clamped
    expect(q.deadline(far)).toBe(80 + HORIZON);
  });

  it('peek (tokio-util): expired first, then by deadline, undefined when empty', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const key = q.insertAt('foo', 5);
    const key2 = q.insertAt('bar', 0);
    const key3 = q.insertAt('baz', 10);
    expect(q.peek()).toBe(key2);
    await d.advance(6);
    expect(q.peek()).toBe(key2);
    expect(q.pollExpired()?.value).toBe('bar');
    expect(q.peek()).toBe(key);
    expect(q.pollExpired()?.value).toBe('foo');
    expect(q.peek()).toBe(key3);
    expect(q.pollExpired()).toBeUndefined();
    await d.advance(5);
    expect(q.peek()).toBe(key3);
    expect(q.pollExpired()?.value).toBe('baz');
    expect(q.peek()).toBeUndefined();
  });

  it('wake_after_remove_last / wake_after_clear: a waiting next() ends once empty and closed', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('foo', 100);
    q.close();
    const n = q.next();
    q.remove(k);
    expect(await n).toBeUndefined();
    const q2 = new DelayQueue<string>({ driver: d });
    q2.insert('a', 100);
    q2.close();
    const n2 = q2.next();
    q2.clear();
    expect(await n2).toBeUndefined();
  });
});

describe('keys', () => {
  it('stale keys throw RangeError from every key method but tryRemove', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const removed = q.insert('a', 10);
    q.remove(removed);
    const yielded = q.insert('b', 0);
    await d.advance(0);
    expect(q.pollExpired()?.key).toBe(yielded);
    for (const k of [removed, yielded, 0, -1, 1.5, NaN, Infinity, 2 ** 60, 12345] as Key[]) {
      expect(() => q.remove(k)).toThrow(RangeError);
      expect(() => q.reset(k, 5)).toThrow(RangeError);
      expect(() => q.resetAt(k, 5)).toThrow(RangeError);
      expect(() => q.deadline(k)).toThrow(RangeError);
      expect(q.tryRemove(k)).toBeUndefined();
    }
    expect(() => q.remove(removed)).toThrow(/key/);
    expect(d.stats().pending).toBe(0);
  });

  it('a stale key never touches a later item that reused its slot', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const seen = new Set<number>();
    let old = q.insert('first', 10);
    seen.add(old);
    for (let i = 0; i < 1000; i++) {
      q.remove(old);
      const fresh = q.insert(`v${i}`, 10);
      expect(seen.has(fresh)).toBe(false); // a new key every time, though the slot is reused
      seen.add(fresh);
      expect(q.tryRemove(old)).toBeUndefined();
      expect(() => q.reset(old, 1)).toThrow(RangeError);
      expect(q.deadline(fresh)).toBe(10);
      old = fresh;
    }
    expect(q.size).toBe(1);
    await d.advance(10);
    expect(drain(q)).toEqual(['v999']);
  });

  it('a slot whose generations are used up is retired: its keys never match again', () => {
    const q = new DelayQueue<string>({ driver: paused() });
    q.remove(q.insert('a', 10)); // slot 0 is free again, and handed out first
    (q as unknown as { _gen: Uint32Array })._gen[0] = 2 ** 24 - 1; // its last generation
    const last = q.insert('b', 10);
    expect(last % 2 ** 26).toBe(0);
    q.remove(last); // slot 0 retires instead of wrapping to generation 1
    for (let i = 0; i < 100; i++) {
      const k = q.insert(`v${i}`, 10);
      expect(k % 2 ** 26).not.toBe(0); // never slot 0 again, nor its keys
      expect(q.tryRemove(last)).toBeUndefined();
      expect(() => q.deadline(last)).toThrow(RangeError);
      if (i % 2 === 0) q.remove(k); else q.clear();
    }
  });

  it('keys are opaque positive integers, distinct per live item', () => {
    const d = paused();
    const q = new DelayQueue<number>({ driver: d });
    const keys = Array.from({ length: 100 }, (_, i) => q.insert(i, i));
    for (const k of keys) expect(Number.isSafeInteger(k) && k > 0).toBe(true);
    expect(new Set(keys).size).toBe(100);
  });

  it('a non-number key is a TypeError', () => {
    const q = new DelayQueue<number>({ driver: paused() });
    expect(() => q.remove('1' as unknown as Key)).toThrow(TypeError);
    expect(() => q.tryRemove(undefined as unknown as Key)).toThrow(TypeError);
  });
});

describe('expiry', () => {
  it('is never early: pollExpired sees an item only once the clock reaches its deadline', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    q.insertAt('x', 10.5);
    await d.advance(10.9);
    expect(q.pollExpired()).toBeUndefined();
    await d.advance(0.1);
    expect(q.pollExpired()).toMatchObject({ value: 'x', deadline: 10.5 });
  });

  it('an expired item not yet yielded can be reset (to later) and stays in the queue', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('x', 10);
    await d.advance(10);
    expect(q.peek()).toBe(k);
    q.reset(k, 20);
    expect(q.pollExpired()).toBeUndefined();
    expect(q.size).toBe(1);
    expect(q.deadline(k)).toBe(30);
    await d.advance(20);
    expect(q.pollExpired()).toEqual({ key: k, value: 'x', deadline: 30 });
  });

  it('10^5 items: inserts, resets and removes, then expiry in (tick, arming order) against a sorted model', async () => {
    const d = paused();
    const q = new DelayQueue<number>({ driver: d });
    const rand = rng(12345);
    const N = 100_000;
    const keys: Key[] = new Array(N);
    // model: value -> [deadline, arming sequence]; removed values are absent
    const model = new Map<number, [number, number]>();
    let seq = 0;
    for (let i = 0; i < N; i++) {
      const r = rand();
      if (r < 0.5) {
        const ms = Math.floor(rand() * 5000);
        keys[i] = q.insert(i, ms);
        model.set(i, [ms, seq++]);
      } else {
        const at = rand() < 0.1 ? rand() * 5000 : Math.floor(rand() * 5000); // some fractional
        keys[i] = q.insertAt(i, at);
        model.set(i, [at, seq++]);
      }
    }
    expect(q.size).toBe(N);
    for (let i = 0; i < N; i += 7) { // resets
      const at = Math.floor(rand() * 6000);
      q.resetAt(keys[i], at);
      model.set(i, [at, seq++]);
    }
    for (let i = 3; i < N; i += 5) { // removes (some of them reset before)
      const r = q.remove(keys[i]);
      expect(r.value).toBe(i);
      expect(r.deadline).toBe(model.get(i)![0]);
      model.delete(i);
    }
    expect(q.size).toBe(model.size);
    // peek agrees with the model's first item
    const expected = [...model.entries()]
      .sort((a, b) => (Math.ceil(a[1][0]) - Math.ceil(b[1][0])) || (a[1][1] - b[1][1]))
      .map(([v, [dl]]) => [v, dl]);
    expect(q.peek()).toBe(keys[expected[0][0]]);
    await d.runUntilIdle();
    const got: Array<[number, number]> = [];
    for (let e = q.pollExpired(); e; e = q.pollExpired()) got.push([e.value, e.deadline]);
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
    expect(q.size).toBe(0);
    expect(d.stats().pending).toBe(0);
    expect(q.tryRemove(keys[0])).toBeUndefined();
  }, 30_000);
});

describe('peek', () => {
  it('follows inserts, resets, removes; ties go to the earlier armed', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const a = q.insert('a', 50);
    expect(q.peek()).toBe(a);
    const b = q.insert('b', 50); // tie: a first
    expect(q.peek()).toBe(a);
    const c = q.insert('c', 20);
    expect(q.peek()).toBe(c);
    q.reset(c, 80);
    expect(q.peek()).toBe(a);
    q.remove(a);
    expect(q.peek()).toBe(b);
    q.resetAt(b, 50); // re-armed: now after... nobody else at 50
    expect(q.peek()).toBe(b);
    const e = q.insertAt('e', 50);
    expect(q.peek()).toBe(b);
    q.resetAt(b, 50); // re-armed after e: e goes first
    expect(q.peek()).toBe(e);
    await d.advance(50);
    expect(q.pollExpired()?.key).toBe(e);
    expect(q.pollExpired()?.key).toBe(b);
    expect(q.peek()).toBe(c);
    q.remove(c);
    expect(q.peek()).toBeUndefined();
  });
});

describe('waiting: next() and iteration', () => {
  it('next() waits for the next expiry; concurrent calls take successive items', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    q.insert('late', 30);
    q.insert('early', 10);
    const got: Array<[string | undefined, number]> = [];
    const n1 = q.next().then((e) => got.push([e?.value, d.now()]));
    const n2 = q.next().then((e) => got.push([e?.value, d.now()]));
    await d.advance(30);
    await Promise.all([n1, n2]);
    expect(got).toEqual([['early', 10], ['late', 30]]);
  });

  it('next() on an empty queue waits for an insert; close() ends it with undefined', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const n = q.next();
    q.insert('x', 5);
    await d.advance(5);
    expect((await n)?.value).toBe('x');
    const m = q.next();
    await macrotask();
    q.close();
    expect(await m).toBeUndefined();
    expect(await q.next()).toBeUndefined();
    expect(() => q.insert('y', 1)).toThrow(TypeError);
  });

  it('close() lets the remaining items drain first', async () => {
    const d = paused({ autoAdvance: true });
    const q = new DelayQueue<string>({ driver: d });
    q.insert('b', 20);
    q.insert('a', 10);
    q.close();
    const got: string[] = [];
    for await (const e of q) got.push(e.value);
    expect(got).toEqual(['a', 'b']);
    expect(d.now()).toBe(20);
  });

  it('for await yields in deadline order; break withdraws nothing but the iteration', async () => {
    const d = paused({ autoAdvance: true });
    const q = new DelayQueue<number>({ driver: d });
    for (const ms of [50, 10, 40, 20, 30]) q.insert(ms, ms);
    const got: Array<[number, number]> = [];
    for await (const e of q) {
      got.push([e.value, d.now()]);
      if (got.length === 3) break;
    }
    expect(got).toEqual([[10, 10], [20, 20], [30, 30]]);
    expect(q.size).toBe(2);
  });

  it('return() while a next() waits withdraws it: the item is not lost', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('keep', 10);
    const it = q[Symbol.asyncIterator]();
    const pending = it.next();
    await it.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    await d.advance(10);
    expect(q.pollExpired()).toEqual({ key: k, value: 'keep', deadline: 10 });
  });

  it('the default driver is used without the option (real time)', async () => {
    const q = new DelayQueue<string>();
    q.insert('x', 2);
    const e = (await q.next()) as Expired<string>;
    expect(e.value).toBe('x');
  });
});

describe('shutdown and bookkeeping', () => {
  it('pending waits reject with ShutdownError; inserting or constructing throws', async () => {
    const d = new Driver({ paused: true });
    const withItems = new DelayQueue<string>({ driver: d });
    withItems.insert('x', 10);
    const empty = new DelayQueue<string>({ driver: d });
    const w1 = withItems.next();
    const w2 = empty.next();
    const c1 = w1.catch((e: unknown) => e);
    const c2 = w2.catch((e: unknown) => e);
    d.shutdown();
    expect(await c1).toBeInstanceOf(ShutdownError);
    expect(await c2).toBeInstanceOf(ShutdownError);
    expect(() => withItems.insert('y', 1)).toThrow(ShutdownError);
    expect(() => withItems.insertAt('y', 1)).toThrow(ShutdownError);
    expect(() => new DelayQueue({ driver: d })).toThrow(ShutdownError);
    await expect(withItems.next()).rejects.toBeInstanceOf(ShutdownError);
    expect(withItems.size).toBe(1); // it can still be removed
    expect(withItems.pollExpired()).toBeUndefined();
  });

  it('waits cut short by shutdown that nobody awaits cause no unhandled rejection', async () => {
    await noUnhandledRejections(async () => {
      const d = new Driver({ paused: true });
      const q = new DelayQueue<number>({ driver: d });
      q.insert(1, 10);
      void q.next();
      void new DelayQueue<number>({ driver: d }).next();
      d.shutdown();
      await macrotask();
      await new Promise((r) => setTimeout(r, 5));
      await macrotask();
    });
  });

  it('stats: each expiry counts as fired, each removal of a pending item as cancelled', async () => {
    const d = paused();
    const q = new DelayQueue<number>({ driver: d });
    const ks = [q.insert(1, 5), q.insert(2, 5), q.insert(3, 5)];
    expect(d.stats().pending).toBe(3);
    q.remove(ks[1]);
    q.reset(ks[2], 10); // neither
    await d.advance(10);
    expect(d.stats()).toMatchObject({ pending: 0, fired: 2, cancelled: 1 });
    expect(q.size).toBe(2);
  });

  it('clamps Infinity to now + HORIZON', async () => {
    const d = paused();
    const q = new DelayQueue<number>({ driver: d });
    await d.advance(3);
    expect(q.deadline(q.insert(1, Infinity))).toBe(3 + HORIZON);
    expect(q.deadline(q.insertAt(2, Infinity))).toBe(3 + HORIZON);
    expect(q.deadline(q.insertAt(3, HORIZON + 10))).toBe(3 + HORIZON);
  });
});

describe('slab and deadline bookkeeping', () => {
  it('a reset in the same tick moves the item behind those armed before it (peek and expiry agree)', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const a = q.insert('a', 10);
    const b = q.insert('b', 10);
    q.reset(a, 10);
    expect(q.peek()).toBe(b);
    await d.advance(10);
    expect(drain(q)).toEqual(['b', 'a']);
  });

  it('each batch of relative deadlines gets its own checkpoint reading', async () => {
    const d = paused();
    const q = new DelayQueue<string>({ driver: d });
    const a = q.insert('a', 10);
    await d.advance(5);
    const b = q.insert('b', 10); // a's batch is fixed (reading 0) before b's starts
    await d.advance(1);
    const c = q.insert('c', 10);
    expect([q.deadline(a), q.deadline(b), q.deadline(c)]).toEqual([10, 15, 16]);
  });

  it('an item that expires before anyone read its deadline still reports the fixed one', async () => {
    const d = paused();
    await d.advance(3);
    const q = new DelayQueue<string>({ driver: d });
    q.insert('x', 10);
    await d.advance(10);
    expect(q.pollExpired()).toMatchObject({ value: 'x', deadline: 13 });
  });

  it('a deadline read after shutdown, before its checkpoint, uses the reading at shutdown', async () => {
    const d = new Driver({ paused: true });
    await d.advance(7);
    const q = new DelayQueue<string>({ driver: d });
    const k = q.insert('x', 10);
    d.shutdown();
    expect(q.deadline(k)).toBe(17);
    expect(q.remove(k)).toEqual({ value: 'x', deadline: 17 });
  });

  it('a queue that empties hands out its items from the start again, with fresh keys', async () => {
    const d = paused();
    const q = new DelayQueue<number>({ driver: d });
    const idx = (k: number) => k % 2 ** 26;
    const first = Array.from({ length: 100 }, (_, i) => q.insert(i, 1000));
    const r = rng(3);
    const shuffled = [...first].sort(() => r() - 0.5);
    for (const k of shuffled) q.remove(k); // freed in a scrambled order
    const second = Array.from({ length: 100 }, (_, i) => q.insert(i, 1000));
    expect(second.map(idx)).toEqual(first.map(idx)); // in order again
    for (const k of first) expect(q.tryRemove(k)).toBeUndefined(); // old keys stay stale
    const gone = second.filter(() => r() < 0.5);
    for (const k of gone) q.remove(k); // not empty: freed items are reused first
    const third = q.insert(-1, 1000);
    expect(gone.map(idx)).toContain(idx(third));
    expect(new Set([...first, ...second, third]).size).toBe(201);
    await d.advance(1000);
    expect(drain(q)).toHaveLength(100 - gone.length + 1);
    expect(q.size).toBe(0);
  });
});
