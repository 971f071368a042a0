// The runtime smoke suite: one set of end-to-end checks of tickwheel's public API, run
// unchanged in every runtime the package claims (Node ESM and CJS, worker_threads, Deno,
// Bun, a browser page, a module Web Worker and a bundled page; see run.mjs).
//
// It imports nothing: the caller passes the package's module namespace (`import * as tw`,
// `require('tickwheel')`, a bundle's import), so the same file runs everywhere and each
// runtime is tested on the way a user there would load the package. Only globals every
// runtime has are used: setTimeout (the host's own, as the reference), performance.now,
// Promise, AbortController, queueMicrotask.
//
//   const report = await runSuite(tw, { runtime: 'node-esm' });
//   report.results: [{ name, status: 'pass' | 'fail' | 'pending', detail, ms }]
//   report.lateness: { tickwheel: { p50, p99, max, min, early, n, short: {…} }, native: { … } }
//   (`short`: the same for the delays under 4 ms, where browsers clamp nested timers)

/**
 * While Sleep, Interval and DelayQueue are stubs that throw "not implemented" (issue 3),
 * their checks report "pending implementation" instead of failing. Set to false once they
 * land: a stub is then a failure like any other.
 */
export const ALLOW_STUBS = false;

const nativeSetTimeout = globalThis.setTimeout.bind(globalThis);
const nativeClearTimeout = globalThis.clearTimeout.bind(globalThis);
const perfNow = () => performance.now();

// ---- helpers ---------------------------------------------------------------------------

class CheckError extends Error {}

function assert(cond, msg) {
  if (!cond) throw new CheckError(msg);
}

function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckError(`${what}: expected ${e}, got ${a}`);
}

async function rejectsWith(promiseLike, name, what) {
  try {
    await promiseLike;
  } catch (e) {
    if (e && e.name === name) return e;
    throw new CheckError(`${what}: expected a rejection named ${name}, got ${describe(e)}`);
  }
  throw new CheckError(`${what}: expected a rejection named ${name}, but it resolved`);
}

function throwsWith(fn, name, what) {
  try {
    fn();
  } catch (e) {
    if (e && e.name === name) return e;
    throw new CheckError(`${what}: expected ${name}, got ${describe(e)}`);
  }
  throw new CheckError(`${what}: expected ${name}, but nothing was thrown`);
}

function describe(e) {
  if (e && typeof e === 'object' && 'message' in e) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Waits `ms` by the host's own timer (never by the package under test). */
function hostDelay(ms) {
  return new Promise((resolve) => nativeSetTimeout(resolve, ms));
}

/** A promise with its resolve/reject outside. */
function deferred() {
  let resolve, reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

/** Rejects if `p` has not settled after `ms` (host timer), so a hung check fails instead of hanging. */
function within(p, ms, what) {
  let t;
  const guard = new Promise((_, reject) => {
    t = nativeSetTimeout(() => reject(new CheckError(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => nativeClearTimeout(t));
}

/** A small seeded PRNG (mulberry32): the same delays in every runtime. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** p50, p99 and extremes of lateness samples (ms), and how many were early (negative). */
function summarize(late) {
  const s = Float64Array.from(late).sort();
  const r2 = (x) => Math.round(x * 100) / 100;
  let early = 0;
  for (const x of s) if (x < 0) early++;
  return { n: s.length, p50: r2(quantile(s, 0.5)), p99: r2(quantile(s, 0.99)), max: r2(s[s.length - 1]), min: r2(s[0]), early };
}

const isStub = (e) => !!e && typeof e.message === 'string' && /not implemented/i.test(e.message);

// ---- the checks ------------------------------------------------------------------------

/** Façade timers, the default driver, a Driver's bound methods and a TimerEntry. */
async function schedule(tw, ctx) {
  for (const k of ['Driver', 'DelayQueue', 'TimerEntry', 'Sleep', 'Interval', 'TimeoutError', 'ShutdownError',
    'MissedTickBehavior', 'HORIZON', 'now', 'sleep', 'sleepUntil', 'timeout', 'timeoutAt', 'interval', 'intervalAt',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'refreshTimeout', 'unrefTimeout', 'refTimeout',
    'defaultDriver']) {
    assert(k in tw, `the package exports ${k}`);
  }
  // The package's minifier keeps the public classes' and functions' names (stack traces,
  // util.inspect, constructor.name).
  if (ctx.classNames) {
    for (const k of ['Driver', 'DelayQueue', 'TimerEntry', 'Sleep', 'Interval', 'TimeoutError', 'ShutdownError']) {
      eq(tw[k].name, k, `${k}.name`);
    }
    eq(new tw.ShutdownError().constructor.name, 'ShutdownError', 'a ShutdownError\'s constructor.name');
    for (const k of ['now', 'sleep', 'sleepUntil', 'timeout', 'timeoutAt', 'interval', 'intervalAt', 'setTimeout',
      'clearTimeout', 'setInterval', 'clearInterval', 'refreshTimeout', 'unrefTimeout', 'refTimeout', 'defaultDriver']) {
      eq(tw[k].name, k, `${k}.name`);
    }
  }
  eq(tw.HORIZON, 2 ** 36 - 1, 'HORIZON');
  assert(tw.defaultDriver() instanceof tw.Driver, 'defaultDriver() is a Driver');
  assert(tw.defaultDriver() === tw.defaultDriver(), 'defaultDriver() is one driver');

  // Module-level façade: integer id, extra arguments, `this` undefined, never early.
  const got = deferred();
  const t0 = tw.now();
  const id = tw.setTimeout(function (a, b) { got.resolve({ self: this, a, b, at: tw.now() }); }, 3, 'x', 7);
  assert(Number.isInteger(id) && id > 0, `setTimeout returns a positive integer (got ${id})`);
  const r = await within(got.promise, 2000, 'module-level setTimeout');
  eq([r.self, r.a, r.b], [undefined, 'x', 7], 'callback this and arguments');
  assert(r.at >= t0 + 3, `fired at ${r.at}, before ${t0 + 3}`);

  // A driver's methods are bound.
  const d = new tw.Driver();
  try {
    const { setTimeout: st, now } = d;
    const fired = deferred();
    const before = d.stats().fired;
    const s0 = now();
    st(() => fired.resolve(now()), 2);
    const at = await within(fired.promise, 2000, 'bound driver.setTimeout');
    assert(at >= s0 + 2, `bound setTimeout fired early (${at} < ${s0 + 2})`);
    eq(d.stats().fired - before, 1, 'stats().fired after one timer');
    eq(d.stats().pending, 0, 'stats().pending after it fired');
    eq(d.stats().levels.length, 6, 'stats().levels has 6 entries');

    // setInterval fires repeatedly until cleared.
    let n = 0;
    const three = deferred();
    const iv = d.setInterval(() => { if (++n === 3) three.resolve(); }, 2);
    await within(three.promise, 2000, 'setInterval');
    d.clearInterval(iv);
    await hostDelay(10);
    eq(n, 3, 'setInterval ticks after clearInterval');

    // A TimerEntry at a fractional deadline: the waker runs once the clock reads >= it.
    const e = d.entry(d.now() + 2.5);
    const woke = deferred();
    assert(!e.pollElapsed(() => woke.resolve(d.now())), 'a fresh entry is not elapsed');
    const wokeAt = await within(woke.promise, 2000, 'TimerEntry waker');
    assert(wokeAt >= e.deadline, `entry woke at ${wokeAt}, before its deadline ${e.deadline}`);
    assert(e.isElapsed && e.pollElapsed(() => {}), 'entry elapsed after its waker ran');
    eq(d.nextDeadline(), undefined, 'nextDeadline() with nothing pending');
  } finally {
    d.shutdown();
  }
}

/** Cancelled timers never fire, also when cancelled by a callback of the same batch. */
async function cancel(tw) {
  const d = new tw.Driver();
  try {
    const log = [];
    const a = d.setTimeout(() => log.push('a'), 3);
    d.clearTimeout(a);
    d.clearTimeout(a); // twice: no-op
    d.clearTimeout(undefined);
    let bId = 0;
    d.setTimeout(() => { log.push('first'); d.clearTimeout(bId); }, 5);
    bId = d.setTimeout(() => log.push('second'), 5); // same tick, same batch
    const done = deferred();
    d.setTimeout(() => done.resolve(), 8);
    await within(done.promise, 2000, 'cancel');
    await hostDelay(5);
    eq(log, ['first'], 'fired');
    eq(d.stats().cancelled, 2, 'stats().cancelled (a, then second from inside the batch)');

    // A stale id never clears a newer timer (generation tags).
    const fresh = deferred();
    const old = d.setTimeout(() => {}, 1);
    await hostDelay(5);
    const newer = d.setTimeout(() => fresh.resolve('newer'), 2);
    d.clearTimeout(old);
    assert(old !== newer, 'ids are not reused as-is');
    eq(await within(fresh.promise, 2000, 'newer timer after a stale clear'), 'newer', 'the newer timer fired');

    // A cancelled entry never wakes.
    let woke = false;
    const e = d.entry(d.now() + 2);
    e.pollElapsed(() => { woke = true; });
    e.cancel();
    e.cancel();
    await hostDelay(8);
    assert(!woke && !e.isElapsed, 'a cancelled entry woke');
    eq(d.stats().pending, 0, 'nothing pending');
  } finally {
    d.shutdown();
  }
}

/** Deadline order, scheduling order within a tick, and "last reset" order (guarantee 3). */
async function order(tw) {
  const d = new tw.Driver();
  try {
    const rand = rng(42);
    const n = 200;
    const delays = Array.from({ length: n }, () => Math.floor(rand() * 16)); // 0..15, many equal
    const fired = [];
    const done = deferred();
    for (let i = 0; i < n; i++) {
      d.setTimeout(() => { fired.push(i); if (fired.length === n) done.resolve(); }, delays[i]);
    }
    await within(done.promise, 3000, 'order');
    // The façade coerces delays below 1 to 1; all were scheduled in one turn, so one reading.
    const expected = [...fired.keys()].sort((x, y) => Math.max(1, delays[x]) - Math.max(1, delays[y]) || x - y);
    eq(fired, expected, 'firing order');

    // Re-arming puts a timer behind those already armed for the same tick.
    const log = [];
    const fin = deferred();
    const a = d.setTimeout(() => log.push('a'), 4);
    d.setTimeout(() => log.push('b'), 4);
    d.refreshTimeout(a);
    d.setTimeout(() => fin.resolve(), 8);
    await within(fin.promise, 2000, 'refresh order');
    eq(log, ['b', 'a'], 'order after refreshTimeout');
  } finally {
    d.shutdown();
  }
}

/** The paused test clock: deterministic order and instants (no host timer involved). */
async function testClock(tw) {
  const d = new tw.Driver({ paused: true });
  try {
    eq(d.now(), 0, 'a paused driver starts at 0');
    const log = [];
    d.setTimeout(() => log.push(['a', d.now()]), 10);
    d.setTimeout(() => log.push(['b', d.now()]), 5);
    d.setTimeout(() => log.push(['c', d.now()]), 5);
    eq(d.nextDeadline(), 5, 'nextDeadline()');
    await d.advance(20);
    eq(log, [['b', 5], ['c', 5], ['a', 10]], 'fired');
    eq(d.now(), 20, 'now() after advance(20)');
    d.setTimeout(() => log.push(['d', d.now()]), 1000);
    await d.runUntilIdle();
    eq(log[3], ['d', 1020], 'runUntilIdle');
    // What is due at the frozen instant runs by itself (the driver's own pass, on this
    // runtime's "soon" task), without moving the clock.
    await within(d.sleep(0), 2000, 'a due sleep(0) on a paused driver');
    eq(d.now(), 1020, 'now() after the due pass');
  } finally {
    d.shutdown();
  }
  const auto = new tw.Driver({ paused: true, autoAdvance: true });
  try {
    await within(auto.sleep(3_600_000), 2000, 'autoAdvance: an hour-long sleep');
    eq(auto.now(), 3_600_000, 'autoAdvance jumps to the deadline');
  } finally {
    auto.shutdown();
  }
}

/** A callback that throws loses no other timer; onError receives the error (guarantee 5). */
async function isolation(tw) {
  const errors = [];
  const d = new tw.Driver({ onError: (e) => errors.push(e) });
  try {
    const log = [];
    const done = deferred();
    d.setTimeout(() => log.push(1), 2);
    d.setTimeout(() => { throw new Error('boom'); }, 2);
    d.setTimeout(() => log.push(3), 2);
    d.setTimeout(() => done.resolve(), 4);
    await within(done.promise, 2000, 'isolation');
    eq(log, [1, 3], 'the others fired');
    eq(errors.map((e) => e.message), ['boom'], 'onError');
  } finally {
    d.shutdown();
  }
}

/**
 * Never early, and how late: a chain of timers of 1–20 ms, each armed from the previous
 * one's callback (so browsers' nested-timer clamp applies, as it would to a user's chain).
 * The same chain on the host's own setTimeout is measured as the reference.
 */
async function chain(n, seed, arm, now) {
  const rand = rng(seed);
  const late = [];
  const short = []; // delays under 4 ms, where browsers clamp nested timers
  const done = deferred();
  const step = () => {
    if (late.length === n) return done.resolve();
    const ms = 1 + Math.floor(rand() * 20);
    const t0 = now();
    arm(() => {
      const l = now() - (t0 + ms);
      late.push(l);
      if (ms < 4) short.push(l);
      step();
    }, ms);
  };
  step();
  await within(done.promise, n * 200, 'timer chain');
  return { ...summarize(late), short: summarize(short) };
}

async function neverEarly(tw, ctx) {
  const d = new tw.Driver();
  try {
    // Many at once, at fractional deadlines, through the low-level entry.
    const rand = rng(7);
    const n = 500;
    let left = n;
    let early = 0;
    let worst = 0;
    const all = deferred();
    for (let i = 0; i < n; i++) {
      const e = d.entry(d.now() + rand() * 25);
      e.pollElapsed(() => {
        const dt = d.now() - e.deadline;
        if (dt < 0) { early++; if (dt < worst) worst = dt; }
        if (--left === 0) all.resolve();
      });
    }
    await within(all.promise, 5000, 'entries');
    eq(early, 0, `entries woken before their deadline (worst ${worst} ms)`);

    // A chain through the façade; the lateness figures come from here.
    const late = await chain(ctx.latenessTimers, 2024, (fn, ms) => d.setTimeout(fn, ms), () => d.now());
    eq(late.early, 0, `chained timers fired before their deadline (min lateness ${late.min} ms)`);
    ctx.lateness.tickwheel = late;
    if (ctx.nativeReference) ctx.lateness.native = await chain(ctx.latenessTimers, 2024, nativeSetTimeout, perfNow);
    return `${n} entries + ${late.n} chained timers, none early`;
  } finally {
    d.shutdown();
  }
}

/** Sleep, sleepUntil, timeout (issue 3). */
async function sleep(tw) {
  const d = new tw.Driver();
  try {
    const s = d.sleep(5);
    assert(s instanceof tw.Sleep, 'sleep() returns a Sleep');
    assert(typeof s.then === 'function', 'a Sleep is PromiseLike');
    const dl = s.deadline;
    eq(s.isElapsed, false, 'isElapsed before');
    await within(s, 2000, 'sleep(5)');
    assert(d.now() >= dl, `sleep resolved at ${d.now()}, before its deadline ${dl}`);
    eq(s.isElapsed, true, 'isElapsed after');

    const t0 = tw.now();
    await within(tw.sleep(3), 2000, 'module-level sleep(3)');
    assert(tw.now() >= t0 + 3, 'module-level sleep resolved early');

    const until = d.sleepUntil(d.now() + 4);
    await within(until, 2000, 'sleepUntil');
    assert(d.now() >= until.deadline, 'sleepUntil resolved early');

    // reset moves it earlier; cancel rejects with AbortError; a signal rejects with its reason.
    const r = d.sleep(10_000);
    r.reset(d.now() + 3);
    await within(r, 2000, 'sleep after reset');
    const c = d.sleep(50);
    c.cancel();
    await within(rejectsWith(c, 'AbortError', 'cancelled sleep'), 2000, 'cancelled sleep');
    const ac = new AbortController();
    const a = d.sleep(50, { signal: ac.signal });
    const reason = new Error('stop');
    ac.abort(reason);
    const why = await within(a.then(() => 'resolved', (e) => e), 2000, 'aborted sleep');
    assert(why === reason, `an aborted sleep rejects with the signal's reason (got ${describe(why)})`);
    // A cancelled sleep nobody awaits must not surface as an unhandled rejection (guarantee 10);
    // runners watch for that globally.
    d.sleep(50).cancel();

    // timeout: the clock wins, or the work does.
    await within(rejectsWith(d.timeout(5, new Promise(() => {})), 'TimeoutError', 'timeout'), 2000, 'timeout');
    eq(await within(d.timeout(1000, Promise.resolve(42)), 2000, 'timeout (work wins)'), 42, 'timeout result');
    const te = await d.timeout(3, new Promise(() => {})).catch((e) => e);
    assert(te instanceof tw.TimeoutError && te instanceof Error, 'TimeoutError instanceof');
    eq(d.stats().pending, 0, 'nothing pending');
  } finally {
    d.shutdown();
  }
}

/** Interval: first tick at once, then every period (issue 3). */
async function interval(tw) {
  const d = new tw.Driver();
  try {
    eq(tw.MissedTickBehavior.Burst, 'burst', 'MissedTickBehavior.Burst');
    assert(Object.isFrozen(tw.MissedTickBehavior), 'MissedTickBehavior is frozen');
    const iv = d.interval(5);
    assert(iv instanceof tw.Interval, 'interval() returns an Interval');
    eq(iv.period, 5, 'period');
    const t0 = await within(iv.tick(), 2000, 'first tick');
    const t1 = await within(iv.tick(), 2000, 'second tick');
    assert(d.now() >= t1, `tick resolved at ${d.now()}, before ${t1}`);
    eq(t1 - t0, 5, 'ticks one period apart');
    const t2 = await within(iv.tick(), 2000, 'third tick');
    eq(t2 - t0, 10, 'third tick');
    if (typeof iv[Symbol.dispose] === 'function') iv[Symbol.dispose]();

    // Async iteration; leaving the loop stops it.
    const seen = [];
    for await (const t of d.interval(2)) {
      seen.push(t);
      if (seen.length === 3) break;
    }
    eq(seen.length, 3, 'ticks from for-await');
    assert(seen[2] - seen[0] === 4, `iterated ticks 2 ms apart (${seen})`);
    await hostDelay(6);
    eq(d.stats().pending, 0, 'no timer left after the loop');
  } finally {
    d.shutdown();
  }
}

/** DelayQueue: items come out in deadline order, no earlier than their deadlines (issue 3). */
async function delayQueue(tw) {
  const d = new tw.Driver();
  try {
    const q = new tw.DelayQueue({ driver: d });
    q.insert('c', 9);
    const ka = q.insert('a', 3);
    q.insert('b', 6);
    const kx = q.insert('x', 4);
    eq(q.size, 4, 'size');
    eq(q.remove(kx).value, 'x', 'remove');
    throwsWith(() => q.remove(kx), 'RangeError', 'remove of a stale key');
    eq(q.tryRemove(kx), undefined, 'tryRemove of a stale key');
    eq(q.peek(), ka, 'peek');
    eq(q.pollExpired(), undefined, 'pollExpired before anything is due');
    const out = [];
    for (let i = 0; i < 3; i++) {
      const e = await within(q.next(), 2000, 'DelayQueue.next');
      assert(d.now() >= e.deadline, `${e.value} came out at ${d.now()}, before ${e.deadline}`);
      out.push(e.value);
    }
    eq(out, ['a', 'b', 'c'], 'order');
    eq(q.size, 0, 'size when drained');
    const kr = q.insert('r', 1000);
    q.reset(kr, 2);
    const r = await within(q.next(), 2000, 'reset item');
    eq(r.value, 'r', 'reset item');
    q.close();
    eq(await within(q.next(), 2000, 'next() when closed and empty'), undefined, 'next() when closed and empty');
  } finally {
    d.shutdown();
  }
}

/** 10^5 timers on one driver: all fire, in order, none early, nothing left pending. */
async function volume(tw, ctx) {
  const N = ctx.volume;
  const d = new tw.Driver();
  try {
    const rand = rng(99);
    const delays = new Uint16Array(N);
    for (let i = 0; i < N; i++) delays[i] = 1 + Math.floor(rand() * 256); // levels 0 and 1
    const fired = new Int32Array(N);
    const armed = new Float64Array(N); // the driver's clock when each timer was armed
    let k = 0;
    let early = 0;
    const done = deferred();
    const t0 = perfNow();
    for (let i = 0; i < N; i++) {
      const ms = delays[i];
      const at = (armed[i] = d.now());
      d.setTimeout(() => {
        if (d.now() < at + ms) early++;
        fired[k++] = i;
        if (k === N) done.resolve();
      }, ms);
    }
    const scheduled = perfNow() - t0;
    eq(d.stats().pending, N, 'pending after scheduling'); // fixes every deadline still queued
    const end = d.now(); // no deadline was fixed at a later reading
    await within(done.promise, 20_000, `${N} timers`);
    const total = perfNow() - t0;
    eq(early, 0, 'timers fired early');
    // Deadline order. Each deadline is fixed at a reading taken after its call (at the
    // checkpoint, or when a long burst fills the queue window) and no later than `end`, so
    // it lies in [armed + ms, end + ms]: a timer that fires first was due no later than
    // the latest the next one could be due (plus the tick it is rounded up to).
    for (let j = 1; j < N; j++) {
      const a = fired[j - 1];
      const b = fired[j];
      if (armed[a] + delays[a] > end + delays[b] + 1) {
        throw new CheckError(`out of order at ${j}: #${a} (due ${(armed[a] + delays[a]).toFixed(1)} or later) before #${b} (due by ${(end + delays[b]).toFixed(1)})`);
      }
    }
    const st = d.stats();
    eq([st.pending, st.fired], [0, N], 'stats after the run');
    return `${N} timers, scheduled in ${scheduled.toFixed(1)} ms, all fired in deadline order by ${total.toFixed(0)} ms`;
  } finally {
    d.shutdown();
  }
}

/** shutdown(): façade callbacks never run, scheduling throws, queries stay usable. */
async function shutdown(tw) {
  const d = new tw.Driver();
  let ran = 0;
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push(d.setTimeout(() => { ran++; }, 2 + i));
  const e = d.entry(d.now() + 3);
  e.pollElapsed(() => {});
  d.shutdown();
  d.shutdown(); // idempotent
  assert(d.isShutdown, 'isShutdown');
  throwsWith(() => d.setTimeout(() => {}, 1), 'ShutdownError', 'setTimeout after shutdown');
  throwsWith(() => d.setInterval(() => {}, 1), 'ShutdownError', 'setInterval after shutdown');
  throwsWith(() => d.entry(1), 'ShutdownError', 'entry after shutdown');
  throwsWith(() => e.pollElapsed(() => {}), 'ShutdownError', 'pollElapsed of a shut-down entry');
  const err = throwsWith(() => d.setTimeout(() => {}, 1), 'ShutdownError', 'setTimeout after shutdown');
  assert(err instanceof tw.ShutdownError && err instanceof Error, 'ShutdownError instanceof');
  assert(typeof d.now() === 'number', 'now() after shutdown');
  eq(d.stats().pending, 0, 'stats() after shutdown');
  eq(d.nextDeadline(), undefined, 'nextDeadline() after shutdown');
  for (const id of ids) d.clearTimeout(id);
  await hostDelay(20);
  eq(ran, 0, 'façade callbacks run after shutdown');

  const p = new tw.Driver({ paused: true });
  p.shutdown();
  throwsWith(() => p.advance(1), 'ShutdownError', 'advance after shutdown');
  throwsWith(() => p.runUntilIdle(), 'ShutdownError', 'runUntilIdle after shutdown');
}

/** shutdown() rejects every pending Sleep, timeout, Interval.tick and DelayQueue wait (issue 3). */
async function shutdownWaits(tw) {
  const d = new tw.Driver();
  try {
    const s = d.sleep(1000);
    const t = d.timeout(1000, new Promise(() => {}));
    const iv = d.interval(1000);
    await iv.tick(); // the first tick is immediate
    const tick = iv.tick();
    const q = new tw.DelayQueue({ driver: d });
    q.insert('v', 1000);
    const next = q.next();
    d.shutdown();
    for (const [p, what] of [[s, 'sleep'], [t, 'timeout'], [tick, 'Interval.tick'], [next, 'DelayQueue.next']]) {
      await within(rejectsWith(p, 'ShutdownError', what), 2000, what);
    }
  } finally {
    d.shutdown();
  }
}

/** The checks, in order. `stub`: may report "pending implementation" while ALLOW_STUBS. */
export const CHECKS = [
  { name: 'schedule', fn: schedule },
  { name: 'cancel', fn: cancel },
  { name: 'order', fn: order },
  { name: 'test clock', fn: testClock },
  { name: 'isolation', fn: isolation },
  { name: 'never-early', fn: neverEarly },
  { name: 'sleep', fn: sleep, stub: true },
  { name: 'interval', fn: interval, stub: true },
  { name: 'DelayQueue', fn: delayQueue, stub: true },
  { name: 'volume', fn: volume },
  { name: 'shutdown', fn: shutdown },
  { name: 'shutdown rejects waits', fn: shutdownWaits, stub: true },
];

/** Where the suite runs, for the report. */
export function runtimeInfo() {
  const g = globalThis;
  if (g.Deno?.version) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun?.version) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node}`;
  if (g.navigator?.userAgent) return g.navigator.userAgent;
  return 'unknown';
}

/**
 * Runs every check against the module namespace `tw`.
 * options: { runtime, volume = 1e5, latenessTimers = 200, nativeReference = true, only }
 */
export async function runSuite(tw, options = {}) {
  const ctx = {
    volume: options.volume ?? 100_000,
    latenessTimers: options.latenessTimers ?? 200,
    nativeReference: options.nativeReference ?? true,
    // A consumer's bundler that minifies renames classes (vite does); the package keeps them.
    classNames: options.classNames ?? true,
    lateness: {},
  };
  // Guarantee 10, and stray errors in general: an unhandled rejection during the run fails it.
  const stray = [];
  const onStray = (e) => { stray.push(describe(e?.reason ?? e)); e?.preventDefault?.(); };
  const g = globalThis;
  const nodeLike = typeof g.process?.on === 'function' && !g.Deno;
  if (nodeLike) g.process.on('unhandledRejection', onStray);
  else g.addEventListener?.('unhandledrejection', onStray);

  const results = [];
  for (const c of CHECKS) {
    if (options.only && !options.only.includes(c.name)) continue;
    const t0 = perfNow();
    let status = 'pass';
    let detail = '';
    try {
      detail = (await within(Promise.resolve().then(() => c.fn(tw, ctx)), 60_000, c.name)) ?? '';
    } catch (e) {
      if (c.stub && ALLOW_STUBS && isStub(e)) {
        status = 'pending';
        detail = 'pending implementation (issue 3): ' + describe(e);
      } else {
        status = 'fail';
        detail = describe(e) + (e instanceof CheckError ? '' : `\n${e?.stack ?? ''}`);
      }
    }
    results.push({ name: c.name, status, detail, ms: Math.round(perfNow() - t0) });
  }
  await hostDelay(20); // let late rejections surface
  if (nodeLike) g.process.off('unhandledRejection', onStray);
  else g.removeEventListener?.('unhandledrejection', onStray);
  if (stray.length) results.push({ name: 'no unhandled rejections', status: 'fail', detail: stray.join('; '), ms: 0 });

  return { runtime: options.runtime ?? 'unknown', engine: runtimeInfo(), results, lateness: ctx.lateness };
}
