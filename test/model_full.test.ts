// Model test of the whole API on the test clock (issue 6): at least 10^6 random operations
// per run of this file, across the setTimeout façade (timeouts and intervals: schedule,
// clear, refresh), TimerEntry (create, reset, cancel), Sleep, timeout, Interval and
// DelayQueue, with advances of every size (small steps, every level boundary, jumps of years,
// to the horizon and past it), against the naive model of test/helpers/model.ts.
//
// Callbacks act too: a fired timer may schedule, clear, refresh, reset or cancel others of
// the same batch, sleep 0 (the next pass), settle a timeout's work, touch the delay queue.
// After every advance the two traces must be identical: which timer fired, in which order,
// and the clock reading at each fire (plus interval tick instants, queue deadlines and
// stats()). Some runs lower the driver's sequence-renumbering threshold to exercise it.
// Timers already due at the frozen instant run in the driver's own passes: the runner lets
// them finish after each operation that waits (the model: advance(0)), and before that an
// advance() takes them in its first pass.
// With TW_DEBUG set, a failure also prints both traces in full.
//
// A failure prints the seed; replay it with
//   TICKWHEEL_SEED=<seed> [TICKWHEEL_PATH=<path>] npx vitest run test/model_full.test.ts
// The last test runs one seed twice and checks that the traces are identical.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DelayQueue, Driver, type Interval, type Key, type Sleep, type TimerEntry } from '../src/index';
import {
  HORIZON, LEVEL_BOUNDARIES, MTimer, NaiveModel, advanceArb, clampDeadline, coerceDelay, delayArb, failing,
  fcParams, hashTrace, limitStep, opsArray, tickAfter, tickAt,
} from './helpers/model';

const RUNS = 100;
const OPS = 10_000;

// ---- which parts of the API exist --------------------------------------------------------

/**
 * Sleep, timeout, Interval and DelayQueue came with issue 3. Each part is probed; with
 * REQUIRE_ALL a missing one fails this test (set it to false only to run the model against
 * a build where a part is a stub that throws "not implemented").
 */
const REQUIRE_ALL = true;

function probe(name: string, f: (d: Driver) => void): boolean {
  const d = new Driver({ paused: true });
  try {
    f(d);
    return true;
  } catch (e) {
    if (REQUIRE_ALL || !/not implemented/i.test(String(e))) throw e;
    console.log(`model_full: ${name} is not implemented yet; its operations are left out`);
    return false;
  } finally {
    d.shutdown();
  }
}

const HAS = {
  sleep: probe('Sleep', (d) => { d.sleep(1).then(undefined, () => {}); }),
  timeout: probe('timeout', (d) => { d.timeout(1, new Promise(() => {})).catch(() => {}); }),
  interval: probe('Interval', (d) => { d.interval(1); }),
  delayQueue: probe('DelayQueue', (d) => { new DelayQueue({ driver: d }); }),
};

// ---- known core bugs the generator steers around ------------------------------------------

/**
 * Switches that steer the generator around a known core bug while it is open, so that the
 * rest of the model keeps running (each bug also has a targeted test in faults.test.ts).
 * - AVOID_CLEAR_SELF: callbacks do not clear their own finished timeout. For core bug 2b
 *   (that clear counted a cancellation; fixed in 4f9b239) and core bug 10, OPEN: since that
 *   fix the clear is a plain no-op, so a refreshTimeout(id) after it re-arms the cleared
 *   timer, which then fires again (and again). TODO(lead): set to false once bug 10 is fixed.
 * - AVOID_CORE_BUG_5: a Sleep reset in place, mid-pass, to a reached deadline, while it
 *   waited in a batch over 1024, fired in that pass (guarantee 4); fixed in 4f9b239. On:
 *   callbacks reset sleeps only into the future. Keep it false.
 */
const AVOID_CLEAR_SELF = false;
const AVOID_CORE_BUG_5 = false;

// ---- operations ------------------------------------------------------------------------------

type Act =
  | { k: 'set'; ms: number }
  | { k: 'ival'; ms: number; left: number }
  | { k: 'clear'; pick: number }
  | { k: 'refresh'; pick: number }
  | { k: 'self' } //                           refreshTimeout of the timer whose callback runs
  | { k: 'entry'; off: number }
  | { k: 'ereset'; pick: number; off: number }
  | { k: 'ecancel'; pick: number }
  | { k: 'sleep'; ms: number }
  | { k: 'sreset'; pick: number; off: number }
  | { k: 'scancel'; pick: number }
  | { k: 'settle'; pick: number }
  | { k: 'dqins'; ms: number }
  | { k: 'dqrm'; pick: number }
  | { k: 'dqpoll' };

type Op =
  | { k: 'set'; ms: number; acts: Act[] }
  | { k: 'burst'; what: 'set' | 'entry' | 'sleep'; ms: number; n: number; acts: Act[] } // n at one instant, the first one acting
  | { k: 'ival'; ms: number; left: number; acts: Act[] }
  | { k: 'clear'; pick: number }
  | { k: 'refresh'; pick: number }
  | { k: 'ref'; pick: number; on: boolean }
  | { k: 'entry'; off: number; acts: Act[] }
  | { k: 'ereset'; pick: number; off: number }
  | { k: 'ecancel'; pick: number }
  | { k: 'echeck'; pick: number }
  | { k: 'sleep'; ms: number; until: boolean; acts: Act[] }
  | { k: 'sreset'; pick: number; off: number }
  | { k: 'scancel'; pick: number }
  | { k: 'scheck'; pick: number }
  | { k: 'timeout'; ms: number; at: boolean; fn: boolean; acts: Act[] }
  | { k: 'settle'; pick: number }
  | { k: 'iv'; period: number; mtb: 'burst' | 'delay' | 'skip'; start: number | null }
  | { k: 'ivtick'; pick: number; chain: number }
  | { k: 'ivreset'; pick: number; how: 0 | 1 | 2 | 3; ms: number }
  | { k: 'dqins'; ms: number; at: boolean }
  | { k: 'dqrm'; pick: number; tr: boolean }
  | { k: 'dqreset'; pick: number; ms: number; at: boolean }
  | { k: 'dqpoll' }
  | { k: 'dqnext' }
  | { k: 'dqpeek' }
  | { k: 'dqdl'; pick: number }
  | { k: 'adv'; ms: number }
  | { k: 'next'; off: number }
  | { k: 'jump'; years: number }
  | { k: 'peek' }
  | { k: 'noop' };

const pick = fc.nat();
/** An offset from now for an absolute deadline: the past, now, the future, beyond the horizon. */
const offArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 2 }, //  "now": due at once, in the next pass
  { arbitrary: fc.integer({ min: -200, max: 200 }), weight: 6 },
  { arbitrary: fc.constantFrom(...LEVEL_BOUNDARIES), weight: 3 },
  { arbitrary: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), weight: 2 },
  { arbitrary: fc.constantFrom(0.5, -0.5, 63.25, -1e9, HORIZON, HORIZON + 1, 2 ** 37, Infinity), weight: 1 },
);
/** Sleep, timeout and queue delays: numbers >= 0 (Infinity clamps). */
const msArb = delayArb();
const periodArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 200 }), weight: 4 },
  { arbitrary: fc.constantFrom(...LEVEL_BOUNDARIES.slice(0, 9)), weight: 1 },
);
const w = <T>(arbitrary: fc.Arbitrary<T>, weight: number, on = true) => ({ arbitrary, weight: on ? weight : 0 });
const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(k: string, r: T) => fc.record({ k: fc.constant(k), ...r });

const actArb = fc.oneof(
  w(rec('set', { ms: delayArb({ weird: true }) }), 6),
  w(rec('ival', { ms: periodArb, left: fc.integer({ min: 1, max: 3 }) }), 1),
  w(rec('clear', { pick }), 4),
  w(rec('refresh', { pick }), 3),
  w(fc.constant({ k: 'self' }), 2),
  w(rec('entry', { off: offArb }), 4),
  w(rec('ereset', { pick, off: offArb }), 2),
  w(rec('ecancel', { pick }), 2),
  w(rec('sleep', { ms: fc.oneof(fc.constant(0), msArb) }), 3, HAS.sleep),
  w(rec('sreset', { pick, off: offArb }), 1, HAS.sleep),
  w(rec('scancel', { pick }), 1, HAS.sleep),
  w(rec('settle', { pick }), 2, HAS.timeout),
  w(rec('dqins', { ms: msArb }), 2, HAS.delayQueue),
  w(rec('dqrm', { pick }), 1, HAS.delayQueue),
  w(fc.constant({ k: 'dqpoll' }), 1, HAS.delayQueue),
) as fc.Arbitrary<Act>;
const acts = fc.oneof({ arbitrary: fc.constant([] as Act[]), weight: 3 }, { arbitrary: fc.array(actArb, { minLength: 1, maxLength: 3 }), weight: 1 });

const opArb = fc.oneof(
  { withCrossShrink: true },
  w(fc.constant({ k: 'noop' }), 1),
  w(rec('set', { ms: delayArb({ weird: true }), acts }), 16),
  w(rec('ival', { ms: periodArb, left: fc.integer({ min: 1, max: 4 }), acts }), 2),
  w(rec('burst', { what: fc.constantFrom('set', 'entry', ...(HAS.sleep ? ['sleep' as const] : [])), ms: fc.integer({ min: 0, max: 5000 }), n: fc.oneof({ arbitrary: fc.integer({ min: 2, max: 64 }), weight: 3 }, { arbitrary: fc.integer({ min: 1000, max: 1100 }), weight: 1 }), acts: fc.array(actArb, { minLength: 1, maxLength: 3 }) }), 1),
  w(rec('clear', { pick }), 6),
  w(rec('refresh', { pick }), 5),
  w(rec('ref', { pick, on: fc.boolean() }), 1),
  w(rec('entry', { off: offArb, acts }), 8),
  w(rec('ereset', { pick, off: offArb }), 4),
  w(rec('ecancel', { pick }), 3),
  w(rec('echeck', { pick }), 1),
  w(rec('sleep', { ms: msArb, until: fc.boolean(), acts }), 6, HAS.sleep),
  w(rec('sreset', { pick, off: offArb }), 2, HAS.sleep),
  w(rec('scancel', { pick }), 2, HAS.sleep),
  w(rec('scheck', { pick }), 1, HAS.sleep),
  w(rec('timeout', { ms: msArb, at: fc.boolean(), fn: fc.boolean(), acts }), 3, HAS.timeout),
  w(rec('settle', { pick }), 2, HAS.timeout),
  w(rec('iv', { period: periodArb, mtb: fc.constantFrom('burst', 'delay', 'skip'), start: fc.option(fc.integer({ min: -300, max: 300 }), { nil: null }) }), 1, HAS.interval),
  w(rec('ivtick', { pick, chain: fc.integer({ min: 0, max: 4 }) }), 3, HAS.interval),
  w(rec('ivreset', { pick, how: fc.constantFrom(0, 1, 2, 3), ms: fc.integer({ min: 0, max: 5000 }) }), 1, HAS.interval),
  w(rec('dqins', { ms: msArb, at: fc.boolean() }), 4, HAS.delayQueue),
  w(rec('dqrm', { pick, tr: fc.boolean() }), 2, HAS.delayQueue),
  w(rec('dqreset', { pick, ms: msArb, at: fc.boolean() }), 2, HAS.delayQueue),
  w(fc.constant({ k: 'dqpoll' }), 2, HAS.delayQueue),
  w(fc.constant({ k: 'dqnext' }), 1, HAS.delayQueue),
  w(fc.constant({ k: 'dqpeek' }), 1, HAS.delayQueue),
  w(rec('dqdl', { pick }), 1, HAS.delayQueue),
  w(rec('adv', { ms: fc.oneof({ arbitrary: advanceArb(), weight: 20 }, { arbitrary: fc.constantFrom(HORIZON - 1, HORIZON, HORIZON + 1, 2 ** 37), weight: 1 }) }), 22),
  w(rec('next', { off: fc.integer({ min: -1, max: 1 }) }), 5),
  w(rec('jump', { years: fc.integer({ min: 1, max: 3 }) }), 1),
  w(fc.constant({ k: 'peek' }), 1),
) as fc.Arbitrary<Op>;

const configArb = fc.record({
  /** The driver's renumbering threshold: the real one, or low enough to renumber every few thousand arms. */
  seqLimit: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 3000, max: 30_000 }), weight: 1 }),
  initialCapacity: fc.constantFrom(0, 0, 100, 5000),
});

/** A timer refreshes itself from its own callback at most this often (else it would never stop). */
const SELF_LIMIT = 2;
/**
 * Re-arms (refresh, reset) made from callbacks, per run. Below the driver's limit of 1000
 * passes at one instant per advance() (guarantee 9), which the model does not mirror: an
 * entry that resets itself into the past from its own waker fires once per pass.
 */
const REARM_BUDGET = 500;

/** Half the picks go to the 32 newest handles (likely still pending), half to any. */
function choose(p: number, n: number): number {
  return p & 1 ? n - 1 - ((p >>> 1) % Math.min(n, 32)) : (p >>> 1) % n;
}

// Trace records are [code, clock, value]: code = handle * 16 + kind.
const K = {
  FIRE: 0, WAKE: 1, SLEPT: 2, TIMED_OUT: 3, WORK_WON: 4, TICK: 5, DQ_NEXT: 6, DQ_POLL: 7,
  DQ_REMOVE: 8, DQ_PEEK: 9, CHECK: 10, DQ_DEADLINE: 11,
} as const;

// ---- the two sides ----------------------------------------------------------------------------

/** What both sides do: each op and act runs on the driver (Real) and on the model (Model). */
interface Side {
  trace: number[];
  /** Re-arms left for callbacks (a sleep that resets itself, or two entries that reset each other, would never stop). */
  rearms: number;
  set(ms: number, acts: Act[], interval: boolean, left: number): void;
  clear(p: number): void;
  refresh(p: number): void;
  self(): void;
  ref(p: number, on: boolean): void;
  entry(off: number, acts: Act[]): void;
  ereset(p: number, off: number): void;
  ecancel(p: number): void;
  echeck(p: number): void;
  sleep(ms: number, until: boolean, acts: Act[]): void;
  sreset(p: number, off: number, inCb: boolean): void;
  scancel(p: number): void;
  scheck(p: number): void;
  timeout(ms: number, at: boolean, fn: boolean, acts: Act[]): void;
  settle(p: number): void;
  iv(period: number, mtb: 'burst' | 'delay' | 'skip', start: number | null): void;
  ivtick(p: number, chain: number): void;
  ivreset(p: number, how: number, ms: number): void;
  dqins(ms: number, at: boolean): void;
  dqrm(p: number, tr: boolean): void;
  dqreset(p: number, ms: number, at: boolean): void;
  dqpoll(): void;
  dqnext(): void;
  dqpeek(): void;
  dqdl(p: number): void;
  now(): number;
  counts(): number[];
}

function runActs(s: Side, acts: Act[]): void {
  for (const a of acts) {
    if ((a.k === 'refresh' || a.k === 'self' || a.k === 'ereset' || a.k === 'sreset') && s.rearms-- <= 0) continue;
    switch (a.k) {
      case 'set': s.set(a.ms, [], false, 0); break;
      case 'ival': s.set(a.ms, [], true, a.left); break;
      case 'clear': s.clear(a.pick); break;
      case 'refresh': s.refresh(a.pick); break;
      case 'self': s.self(); break;
      case 'entry': s.entry(a.off, []); break;
      case 'ereset': s.ereset(a.pick, a.off); break;
      case 'ecancel': s.ecancel(a.pick); break;
      case 'sleep': s.sleep(a.ms, false, []); break;
      case 'sreset': s.sreset(a.pick, a.off, true); break;
      case 'scancel': s.scancel(a.pick); break;
      case 'settle': s.settle(a.pick); break;
      case 'dqins': s.dqins(a.ms, false); break;
      case 'dqrm': s.dqrm(a.pick, true); break;
      case 'dqpoll': s.dqpoll(); break;
    }
  }
}

type Mtb = 'burst' | 'delay' | 'skip';

/** Tokio's rule for the tick after the one at `t`, taken at `now` (src/interval.ts draws it). */
function nextTick(t: number, now: number, period: number, mtb: Mtb): number {
  let next: number;
  if (now > t + 5) {
    if (mtb === 'burst') next = t + period;
    else if (mtb === 'delay') next = now + period;
    else next = now + period - ((now - t) % period);
  } else {
    next = t + period;
  }
  return next > now + HORIZON ? now + HORIZON : next;
}

class Real implements Side {
  trace: number[] = [];
  rearms = REARM_BUDGET;
  errors: unknown[] = [];
  readonly d: Driver;
  private f: Array<{ id: number; interval: boolean; done: boolean; cleared: boolean; left: number; selves: number }> = [];
  private running: Real['f'][number] | undefined;
  private e: Array<{ e: TimerEntry; wake: () => void }> = [];
  private s: Array<{ s: Sleep; state: 0 | 1 | 2; gen: number; acts: Act[] }> = []; // 0 pending, 1 fired, 2 cancelled
  private t: Array<{ resolve: (v: number) => void }> = [];
  private ivs: Array<{ iv: Interval; waiting: boolean }> = [];
  private q: DelayQueue<number> | undefined;
  private qKeys: Key[] = [];
  private qIdx = new Map<number, number>();
  private qWaiting = false;

  constructor(config: { seqLimit: number; initialCapacity: number }) {
    this.d = new Driver({ paused: true, onError: (e) => this.errors.push(e), initialCapacity: config.initialCapacity || undefined });
    if (config.seqLimit) (this.d as unknown as { _seqLimit: number })._seqLimit = config.seqLimit;
    if (HAS.delayQueue) this.q = new DelayQueue<number>({ driver: this.d });
  }

  now(): number { return this.d.now(); }
  counts(): number[] { return [this.f.length, this.e.length, this.s.length, this.t.length, this.ivs.length, this.qKeys.length]; }
  private push(code: number, value: number): void { this.trace.push(code, this.d.now(), value); }

  set(ms: number, acts: Act[], interval: boolean, left: number): void {
    const key = this.f.length;
    const r = { id: 0, interval, done: false, cleared: false, left, selves: 0 };
    this.f.push(r);
    const cb = () => {
      this.push(key * 16 + K.FIRE, 0);
      if (!interval) r.done = true;
      const outer = this.running;
      this.running = r;
      runActs(this, acts);
      if (interval && !r.done && --r.left <= 0) { r.done = r.cleared = true; this.d.clearInterval(r.id); }
      this.running = outer;
    };
    r.id = interval ? this.d.setInterval(cb, ms) : this.d.setTimeout(cb, ms);
  }

  clear(p: number): void {
    if (this.f.length === 0) return;
    const r = this.f[choose(p, this.f.length)];
    if (AVOID_CLEAR_SELF && r === this.running && r.done) return;
    this.d.clearTimeout(r.id);
    r.cleared = true;
    if (r.interval) r.done = true;
  }

  refresh(p: number): void {
    if (this.f.length === 0) return;
    const r = this.f[choose(p, this.f.length)];
    if (r === this.running) this.self(); // refreshTimeout of the timer whose callback runs (Node re-arms it)
    else this.d.refreshTimeout(r.id);
  }

  self(): void {
    const r = this.running;
    if (r === undefined || r.selves++ >= SELF_LIMIT) return;
    this.d.refreshTimeout(r.id);
    if (!r.cleared) r.done = false;
  }

  ref(p: number, on: boolean): void {
    if (this.f.length === 0) return;
    const r = this.f[choose(p, this.f.length)];
    if (on) this.d.refTimeout(r.id); else this.d.unrefTimeout(r.id);
  }

  entry(off: number, acts: Act[]): void {
    const key = this.e.length;
    const e = this.d.entry(this.d.now() + off);
    const wake = () => {
      this.push(key * 16 + K.WAKE, 0);
      const outer = this.running;
      this.running = undefined;
      runActs(this, acts);
      this.running = outer;
    };
    e.pollElapsed(wake);
    this.e.push({ e, wake });
  }

  ereset(p: number, off: number): void {
    if (this.e.length === 0) return;
    const r = this.e[choose(p, this.e.length)];
    r.e.reset(this.d.now() + off);
    if (r.e.pollElapsed(r.wake)) this.errors.push(new Error('pollElapsed() after reset() returned true'));
  }

  ecancel(p: number): void {
    if (this.e.length !== 0) this.e[choose(p, this.e.length)].e.cancel();
  }

  echeck(p: number): void {
    if (this.e.length === 0) return;
    const k = choose(p, this.e.length);
    const e = this.e[k].e;
    this.push(k * 16 + K.CHECK, e.deadline);
    this.push(k * 16 + K.CHECK, e.isElapsed ? 1 : 0);
  }

  private await(key: number, r: { s: Sleep; state: 0 | 1 | 2; gen: number; acts: Act[] }): void {
    const gen = ++r.gen;
    r.s.then(() => {
      if (r.gen !== gen) return;
      r.state = 1;
      this.push(key * 16 + K.SLEPT, 0);
      runActs(this, r.acts);
    }, (err: unknown) => {
      if ((err as Error)?.name !== 'AbortError') this.errors.push(err);
    });
  }

  sleep(ms: number, until: boolean, acts: Act[]): void {
    const key = this.s.length;
    const s = until ? this.d.sleepUntil(this.d.now() + ms) : this.d.sleep(ms);
    const r = { s, state: 0 as 0 | 1 | 2, gen: 0, acts };
    this.s.push(r);
    this.await(key, r);
  }

  sreset(p: number, off: number, inCb: boolean): void {
    if (this.s.length === 0) return;
    if (AVOID_CORE_BUG_5 && inCb && off < 1) off = 1;
    const key = choose(p, this.s.length);
    const r = this.s[key];
    r.s.reset(this.d.now() + off);
    if (r.state !== 0) {
      r.state = 0;
      this.await(key, r);
    }
  }

  scancel(p: number): void {
    if (this.s.length === 0) return;
    const r = this.s[choose(p, this.s.length)];
    r.s.cancel();
    if (r.state === 0) r.state = 2;
  }

  scheck(p: number): void {
    if (this.s.length === 0) return;
    const k = choose(p, this.s.length);
    this.push(k * 16 + K.CHECK, this.s[k].s.deadline);
    this.push(k * 16 + K.CHECK, this.s[k].s.isElapsed ? 1 : 0);
  }

  timeout(ms: number, at: boolean, fn: boolean, acts: Act[]): void {
    const key = this.t.length;
    let resolve!: (v: number) => void;
    const work = new Promise<number>((r) => { resolve = r; });
    this.t.push({ resolve });
    const p = at ? this.d.timeoutAt(this.d.now() + ms, fn ? () => work : work) : this.d.timeout(ms, fn ? () => work : work);
    p.then(() => this.push(key * 16 + K.WORK_WON, 0), (err: unknown) => {
      if ((err as Error)?.name !== 'TimeoutError') { this.errors.push(err); return; }
      this.push(key * 16 + K.TIMED_OUT, 0);
      const outer = this.running;
      this.running = undefined;
      runActs(this, acts);
      this.running = outer;
    });
  }

  settle(p: number): void {
    if (this.t.length !== 0) this.t[choose(p, this.t.length)].resolve(1);
  }

  iv(period: number, mtb: Mtb, start: number | null): void {
    const iv = start === null
      ? this.d.interval(period, { missedTickBehavior: mtb })
      : this.d.intervalAt(this.d.now() + start, period, { missedTickBehavior: mtb });
    this.ivs.push({ iv, waiting: false });
  }

  ivtick(p: number, chain: number): void {
    if (this.ivs.length === 0) return;
    const key = choose(p, this.ivs.length);
    const r = this.ivs[key];
    if (r.waiting) return;
    r.waiting = true;
    const go = (left: number) => {
      r.iv.tick().then((v) => {
        this.push(key * 16 + K.TICK, v);
        if (left > 0) go(left - 1); else r.waiting = false;
      }, (err: unknown) => this.errors.push(err));
    };
    go(chain);
  }

  ivreset(p: number, how: number, ms: number): void {
    if (this.ivs.length === 0) return;
    const iv = this.ivs[choose(p, this.ivs.length)].iv;
    if (how === 0) iv.reset();
    else if (how === 1) iv.resetImmediately();
    else if (how === 2) iv.resetAfter(ms);
    else iv.resetAt(this.d.now() + ms - 100);
  }

  dqins(ms: number, at: boolean): void {
    const q = this.q!;
    const v = this.qKeys.length;
    const key = at ? q.insertAt(v, this.d.now() + ms) : q.insert(v, ms);
    this.qKeys.push(key);
    this.qIdx.set(key, v);
  }

  private dqOut(kind: number, item: { key: Key; value: number; deadline: number } | undefined): void {
    if (item === undefined) { this.push(-16 + kind, -1); return; }
    if (this.qKeys[item.value] !== item.key) this.errors.push(new Error(`DelayQueue yielded value ${item.value} with another item's key`));
    this.push(item.value * 16 + kind, item.deadline);
  }

  dqrm(p: number, tr: boolean): void {
    if (this.qKeys.length === 0) return;
    const v = choose(p, this.qKeys.length);
    const q = this.q!;
    if (tr) {
      const r = q.tryRemove(this.qKeys[v]);
      this.push(v * 16 + K.DQ_REMOVE, r === undefined ? -1 : r.value === v ? r.deadline : NaN);
    } else {
      try {
        const r = q.remove(this.qKeys[v]);
        this.push(v * 16 + K.DQ_REMOVE, r.value === v ? r.deadline : NaN);
      } catch (e) {
        this.push(v * 16 + K.DQ_REMOVE, e instanceof RangeError ? -2 : NaN);
      }
    }
  }

  dqreset(p: number, ms: number, at: boolean): void {
    if (this.qKeys.length === 0) return;
    const v = choose(p, this.qKeys.length);
    try {
      if (at) this.q!.resetAt(this.qKeys[v], this.d.now() + ms); else this.q!.reset(this.qKeys[v], ms);
    } catch (e) {
      this.push(v * 16 + K.DQ_REMOVE, e instanceof RangeError ? -2 : NaN);
    }
  }

  dqpoll(): void { this.dqOut(K.DQ_POLL, this.q!.pollExpired()); }

  dqnext(): void {
    if (this.qWaiting) return;
    this.qWaiting = true;
    this.q!.next().then((item) => { this.qWaiting = false; this.dqOut(K.DQ_NEXT, item); }, (err: unknown) => this.errors.push(err));
  }

  dqpeek(): void {
    const k = this.q!.peek();
    this.push((k === undefined ? -1 : this.qIdx.get(k) ?? -2) * 16 + K.DQ_PEEK, this.q!.size);
  }

  dqdl(p: number): void {
    if (this.qKeys.length === 0) return;
    const v = choose(p, this.qKeys.length);
    try {
      this.push(v * 16 + K.DQ_DEADLINE, this.q!.deadline(this.qKeys[v]));
    } catch (e) {
      this.push(v * 16 + K.DQ_DEADLINE, e instanceof RangeError ? -2 : NaN);
    }
  }
}

class Model implements Side {
  trace: number[] = [];
  rearms = REARM_BUDGET;
  /** Records the driver makes in a promise continuation: after the callback (or operation) that caused them. */
  private later: number[] = [];
  readonly m = new NaiveModel();
  private f: Array<{ t: MTimer; interval: boolean; done: boolean; cleared: boolean; left: number; again: number; period: number; running: boolean; selves: number }> = [];
  private running: Model['f'][number] | undefined;
  private e: Array<{ t: MTimer; requested: number; deadline: number; elapsed: boolean }> = [];
  private s: Array<{ t: MTimer; state: 0 | 1 | 2; deadline: number }> = [];
  private t: Array<{ t: MTimer; settled: boolean }> = [];
  private ivs: Array<{ t: MTimer; next: number; period: number; mtb: Mtb; chain: number }> = [];
  /** Delay queue items: value → timer, deadline, state (0 pending, 1 expired, 2 gone). */
  private q: Array<{ t: MTimer; deadline: number; state: 0 | 1 | 2 }> = [];
  private qExpired: number[] = [];
  private qWaiting = false;
  private qSize = 0;

  now(): number { return this.m.now; }
  counts(): number[] { return [this.f.length, this.e.length, this.s.length, this.t.length, this.ivs.length, this.q.length]; }
  private push(code: number, value: number): void { this.trace.push(code, this.m.now, value); }

  /** Runs a callback's acts, then what their promise continuations record. */
  private acts(acts: Act[]): void {
    runActs(this, acts);
    this.flushLater();
  }

  flushLater(): void {
    for (let j = 0; j < this.later.length; j++) this.trace.push(this.later[j], this.m.now, 0);
    this.later.length = 0;
  }

  set(ms: number, acts: Act[], interval: boolean, left: number): void {
    const key = this.f.length;
    const delay = coerceDelay(ms);
    const period = interval ? Math.min(delay, HORIZON) : 0;
    const r = { t: undefined as unknown as MTimer, interval, done: false, cleared: false, left, again: interval ? period : delay, period, running: false, selves: 0 };
    r.t = new MTimer(key, () => {
      const m = this.m;
      m.fired++;
      this.push(key * 16 + K.FIRE, 0);
      if (!interval) r.done = true;
      const outer = this.running;
      this.running = r;
      r.running = true;
      this.acts(acts);
      if (interval && !r.done && --r.left <= 0) this.stop(r);
      r.running = false;
      this.running = outer;
      if (interval && !r.done) m.arm(r.t, tickAfter(m.now, period));
    });
    this.f.push(r);
    this.m.arm(r.t, tickAfter(this.m.now, interval ? period : delay));
  }

  /**
   * clearTimeout / clearInterval: cancels a pending timer, or stops an interval whose callback
   * is running; either way the timer can never be re-armed (Node: a cleared timer is destroyed).
   * Clearing a timeout whose callback ran (or runs) is a no-op.
   */
  private stop(r: Model['f'][number]): void {
    if (this.m.disarm(r.t)) this.m.cancelled++;
    else if (r.interval && r.running && !r.done) this.m.cancelled++;
    r.cleared = true;
    if (r.interval) r.done = true;
  }

  clear(p: number): void {
    if (this.f.length === 0) return;
    const r = this.f[choose(p, this.f.length)];
    if (AVOID_CLEAR_SELF && r === this.running && r.done) return;
    this.stop(r);
  }

  refresh(p: number): void {
    if (this.f.length === 0) return;
    const r = this.f[choose(p, this.f.length)];
    if (r === this.running) this.self();
    else if (r.t.pending) this.m.arm(r.t, tickAfter(this.m.now, r.again));
  }

  self(): void {
    const r = this.running;
    if (r === undefined || r.selves++ >= SELF_LIMIT || r.cleared) return;
    // Node's refresh() of a timer whose callback runs re-arms it (an interval re-arms anyway).
    this.m.arm(r.t, tickAfter(this.m.now, r.again));
    r.done = false;
  }

  ref(): void {}

  entry(off: number, acts: Act[]): void {
    const key = this.e.length;
    const requested = this.m.now + off;
    const r = { t: undefined as unknown as MTimer, requested, deadline: clampDeadline(this.m.now, requested), elapsed: false };
    r.t = new MTimer(key, () => {
      this.m.fired++;
      r.elapsed = true;
      this.push(key * 16 + K.WAKE, 0);
      const outer = this.running;
      this.running = undefined;
      this.acts(acts);
      this.running = outer;
    });
    this.e.push(r);
    this.m.arm(r.t, tickAt(this.m.now, requested));
  }

  ereset(p: number, off: number): void {
    if (this.e.length === 0) return;
    const r = this.e[choose(p, this.e.length)];
    r.requested = this.m.now + off;
    r.deadline = clampDeadline(this.m.now, r.requested);
    r.elapsed = false;
    this.m.arm(r.t, tickAt(this.m.now, r.requested));
  }

  ecancel(p: number): void {
    if (this.e.length !== 0 && this.m.disarm(this.e[choose(p, this.e.length)].t)) this.m.cancelled++;
  }

  echeck(p: number): void {
    if (this.e.length === 0) return;
    const k = choose(p, this.e.length);
    this.push(k * 16 + K.CHECK, this.e[k].deadline);
    this.push(k * 16 + K.CHECK, this.e[k].elapsed ? 1 : 0);
  }

  sleep(ms: number, until: boolean, acts: Act[]): void {
    const key = this.s.length;
    const m = this.m;
    const r = { t: undefined as unknown as MTimer, state: 0 as 0 | 1 | 2, deadline: until ? clampDeadline(m.now, m.now + ms) : m.now + Math.min(ms, HORIZON) };
    r.t = new MTimer(key, () => {
      m.fired++;
      r.state = 1;
      this.push(key * 16 + K.SLEPT, 0);
      this.acts(acts);
    });
    this.s.push(r);
    m.arm(r.t, until ? tickAt(m.now, m.now + ms) : tickAfter(m.now, ms));
  }

  sreset(p: number, off: number, inCb: boolean): void {
    if (this.s.length === 0) return;
    if (AVOID_CORE_BUG_5 && inCb && off < 1) off = 1;
    const r = this.s[choose(p, this.s.length)];
    const at = this.m.now + off;
    r.deadline = clampDeadline(this.m.now, at);
    r.state = 0;
    this.m.arm(r.t, tickAt(this.m.now, at));
  }

  scancel(p: number): void {
    if (this.s.length === 0) return;
    const r = this.s[choose(p, this.s.length)];
    if (r.state !== 0) return;
    if (this.m.disarm(r.t)) this.m.cancelled++;
    r.state = 2;
  }

  scheck(p: number): void {
    if (this.s.length === 0) return;
    const k = choose(p, this.s.length);
    this.push(k * 16 + K.CHECK, this.s[k].deadline);
    this.push(k * 16 + K.CHECK, this.s[k].state === 1 ? 1 : 0);
  }

  timeout(ms: number, at: boolean, _fn: boolean, acts: Act[]): void {
    const key = this.t.length;
    const m = this.m;
    const r = { t: undefined as unknown as MTimer, settled: false };
    r.t = new MTimer(key, () => {
      m.fired++;
      r.settled = true;
      this.push(key * 16 + K.TIMED_OUT, 0);
      const outer = this.running;
      this.running = undefined;
      this.acts(acts);
      this.running = outer;
    });
    this.t.push(r);
    m.arm(r.t, at ? tickAt(m.now, m.now + ms) : tickAfter(m.now, ms));
  }

  settle(p: number): void {
    if (this.t.length === 0) return;
    const r = this.t[choose(p, this.t.length)];
    if (r.settled) return;
    r.settled = true;
    if (this.m.disarm(r.t)) this.m.cancelled++;
    this.later.push(this.t.indexOf(r) * 16 + K.WORK_WON);
  }

  iv(period: number, mtb: Mtb, start: number | null): void {
    const key = this.ivs.length;
    const now = this.m.now;
    const r = { t: undefined as unknown as MTimer, next: start === null ? now : clampDeadline(now, now + start), period, mtb, chain: 0 };
    r.t = new MTimer(key, () => {
      this.m.fired++;
      this.take(key, r);
      this.waitTick(key, r);
    });
    this.ivs.push(r);
  }

  private take(key: number, r: Model['ivs'][number]): void {
    const t = r.next;
    r.next = nextTick(t, this.m.now, r.period, r.mtb);
    this.push(key * 16 + K.TICK, t);
  }

  /** The interval's waiter chain: take due ticks at once, else arm for the next one. */
  private waitTick(key: number, r: Model['ivs'][number]): void {
    while (r.chain > 0) {
      r.chain--;
      if (this.m.now >= r.next) {
        this.m.fired++;
        this.take(key, r);
      } else {
        this.m.arm(r.t, tickAt(this.m.now, r.next));
        return;
      }
    }
  }

  ivtick(p: number, chain: number): void {
    if (this.ivs.length === 0) return;
    const key = choose(p, this.ivs.length);
    const r = this.ivs[key];
    if (r.chain > 0 || r.t.pending) return;
    r.chain = chain + 1;
    this.waitTick(key, r);
  }

  ivreset(p: number, how: number, ms: number): void {
    if (this.ivs.length === 0) return;
    const r = this.ivs[choose(p, this.ivs.length)];
    const now = this.m.now;
    r.next = how === 0 ? now + r.period : how === 1 ? now : how === 2 ? now + Math.min(ms, HORIZON) : clampDeadline(now, now + ms - 100);
    if (r.t.pending) this.m.arm(r.t, tickAt(now, r.next));
  }

  dqins(ms: number, at: boolean): void {
    const v = this.q.length;
    const m = this.m;
    const it = { t: undefined as unknown as MTimer, deadline: 0, state: 0 as 0 | 1 | 2 };
    it.t = new MTimer(v, () => {
      m.fired++;
      it.state = 1;
      this.qExpired.push(v);
      this.feed();
    });
    this.q.push(it);
    this.qSize++;
    this.dqArm(v, ms, at);
  }

  private dqArm(v: number, ms: number, at: boolean): void {
    const m = this.m;
    const it = this.q[v];
    it.deadline = at ? clampDeadline(m.now, m.now + ms) : m.now + Math.min(ms, HORIZON);
    m.arm(it.t, at ? tickAt(m.now, m.now + ms) : tickAfter(m.now, ms));
  }

  private feed(): void {
    if (this.qWaiting && this.qExpired.length !== 0) {
      this.qWaiting = false;
      this.dqOut(K.DQ_NEXT, this.pop());
    }
  }

  private pop(): number {
    const v = this.qExpired.shift()!;
    this.q[v].state = 2;
    this.qSize--;
    return v;
  }

  private dqOut(kind: number, v: number): void {
    if (v < 0) this.push(-16 + kind, -1); else this.push(v * 16 + kind, this.q[v].deadline);
  }

  private gone(v: number): void {
    const it = this.q[v];
    if (it.state === 0) { if (this.m.disarm(it.t)) this.m.cancelled++; } else this.qExpired.splice(this.qExpired.indexOf(v), 1);
    it.state = 2;
    this.qSize--;
  }

  dqrm(p: number, tr: boolean): void {
    if (this.q.length === 0) return;
    const v = choose(p, this.q.length);
    const it = this.q[v];
    if (it.state === 2) { this.push(v * 16 + K.DQ_REMOVE, tr ? -1 : -2); return; }
    this.push(v * 16 + K.DQ_REMOVE, it.deadline);
    this.gone(v);
  }

  dqreset(p: number, ms: number, at: boolean): void {
    if (this.q.length === 0) return;
    const v = choose(p, this.q.length);
    const it = this.q[v];
    if (it.state === 2) { this.push(v * 16 + K.DQ_REMOVE, -2); return; }
    if (it.state === 1) this.qExpired.splice(this.qExpired.indexOf(v), 1);
    it.state = 0;
    this.dqArm(v, ms, at);
  }

  dqpoll(): void { this.dqOut(K.DQ_POLL, this.qExpired.length ? this.pop() : -1); }

  dqnext(): void {
    if (this.qWaiting) return;
    if (this.qExpired.length) this.dqOut(K.DQ_NEXT, this.pop());
    else this.qWaiting = true;
  }

  dqpeek(): void {
    let best = -1;
    if (this.qExpired.length) {
      best = this.qExpired[0];
    } else {
      for (let v = 0; v < this.q.length; v++) {
        const it = this.q[v];
        if (it.state !== 0) continue;
        if (best < 0 || it.t.tick < this.q[best].t.tick || (it.t.tick === this.q[best].t.tick && it.t.seq < this.q[best].t.seq)) best = v;
      }
    }
    this.push(best * 16 + K.DQ_PEEK, this.qSize);
  }

  dqdl(p: number): void {
    if (this.q.length === 0) return;
    const v = choose(p, this.q.length);
    this.push(v * 16 + K.DQ_DEADLINE, this.q[v].state === 2 ? -2 : this.q[v].deadline);
  }
}

// ---- the runner ---------------------------------------------------------------------------------

const totals = { runs: 0, ops: 0, fires: 0, advances: 0, ms: 0, renumbered: 0, records: new Array<number>(16).fill(0) };
const ASYNC = new Set(['settle', 'ivtick', 'dqnext', 'scancel', 'sreset', 'timeout']);
const macrotask = () => new Promise<void>((r) => setImmediate(r));

function describeRecord(t: number[], i: number): string {
  if (i >= t.length) return '(nothing)';
  const code = t[i];
  const kind = ((code % 16) + 16) % 16;
  const name = Object.entries(K).find(([, v]) => v === kind)?.[0] ?? '?';
  return `${name} #${(code - kind) / 16} at ${t[i + 1]} (${t[i + 2]})`;
}

async function runOps(config: { seqLimit: number; initialCapacity: number }, ops: Op[], hashes?: number[]): Promise<void> {
  const t0 = performance.now();
  const real = new Real(config);
  const model = new Model();
  const d = real.d;
  const m = model.m;
  let compared = 0;
  let i = 0;

  const fail = (what: string): never => {
    let k = compared;
    const rt = real.trace;
    const mt = model.trace;
    while (k < Math.max(rt.length, mt.length) && Object.is(rt[k], mt[k])) k++;
    k -= k % 3;
    throw new Error([
      `${what} ${i < ops.length ? `after operation #${i} ${JSON.stringify(ops[i])}` : 'in the final drain'}; model clock ${m.now}, driver clock ${d.now()}`,
      `  first difference at record ${k / 3}: model ${describeRecord(mt, k)}, driver ${describeRecord(rt, k)}`,
      `  then: model ${describeRecord(mt, k + 3)}; driver ${describeRecord(rt, k + 3)}`,
      process.env.TW_DEBUG ? `  model: ${Array.from({ length: mt.length / 3 }, (_, q) => describeRecord(mt, 3 * q)).join(' | ')}\n  driver: ${Array.from({ length: rt.length / 3 }, (_, q) => describeRecord(rt, 3 * q)).join(' | ')}` : '',
      `  last operations: ${ops.slice(Math.max(0, i - 6), i + 1).map((o, j) => `#${Math.max(0, i - 6) + j} ${JSON.stringify(o)}`).join('; ')}`,
    ].join('\n'));
  };
  const compare = () => {
    if (real.errors.length) fail(`the driver reported ${String(real.errors[0])}`);
    const rt = real.trace;
    const mt = model.trace;
    if (rt.length !== mt.length) fail(`trace lengths differ (${rt.length / 3} vs ${mt.length / 3} records)`);
    for (let j = compared; j < mt.length; j++) if (!Object.is(rt[j], mt[j])) fail('traces differ');
    compared = mt.length;
    const s = d.stats();
    if (s.pending !== m.pending || s.fired !== m.fired || s.cancelled !== m.cancelled) {
      fail(`stats differ: driver ${JSON.stringify(s)}, model pending ${m.pending} fired ${m.fired} cancelled ${m.cancelled}`);
    }
    if (real.counts().join() !== model.counts().join()) fail(`handle counts differ: ${real.counts()} vs ${model.counts()}`);
  };
  // One macrotask, then until the driver has no pass of its own queued or running.
  const settle = async () => {
    const internals = d as unknown as { _chain: Promise<unknown>; _auto: unknown };
    for (;;) {
      await macrotask();
      const chain = internals._chain;
      await chain;
      if (internals._auto === undefined && internals._chain === chain) return;
    }
  };
  const advance = async (ms: number) => {
    ms = limitStep(m.now, ms);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`advance(${ms}) did not finish within 20 s, after operation #${i} ${JSON.stringify(ops[i])}; clock ${d.now()}, stats ${JSON.stringify(d.stats())}`)), 20_000);
    });
    try {
      await Promise.race([d.advance(ms), stuck]);
    } finally {
      clearTimeout(timer);
    }
    m.advance(ms);
    totals.advances++;
    compare();
    if (d.now() !== m.now) fail('clock after advance differs');
  };

  for (i = 0; i < ops.length; i++) {
    const op = ops[i];
    for (const side of [real, model] as Side[]) {
      switch (op.k) {
        case 'set': side.set(op.ms, op.acts, false, 0); break;
        case 'burst':
          for (let j = 0; j < op.n; j++) {
            const acts = j === 0 ? op.acts : [];
            if (op.what === 'set') side.set(op.ms, acts, false, 0);
            else if (op.what === 'entry') side.entry(op.ms, acts);
            else side.sleep(op.ms, false, acts);
          }
          break;
        case 'ival': side.set(op.ms, op.acts, true, op.left); break;
        case 'clear': side.clear(op.pick); break;
        case 'refresh': side.refresh(op.pick); break;
        case 'ref': side.ref(op.pick, op.on); break;
        case 'entry': side.entry(op.off, op.acts); break;
        case 'ereset': side.ereset(op.pick, op.off); break;
        case 'ecancel': side.ecancel(op.pick); break;
        case 'echeck': side.echeck(op.pick); break;
        case 'sleep': side.sleep(op.ms, op.until, op.acts); break;
        case 'sreset': side.sreset(op.pick, op.off, false); break;
        case 'scancel': side.scancel(op.pick); break;
        case 'scheck': side.scheck(op.pick); break;
        case 'timeout': side.timeout(op.ms, op.at, op.fn, op.acts); break;
        case 'settle': side.settle(op.pick); break;
        case 'iv': side.iv(op.period, op.mtb, op.start); break;
        case 'ivtick': side.ivtick(op.pick, op.chain); break;
        case 'ivreset': side.ivreset(op.pick, op.how, op.ms); break;
        case 'dqins': side.dqins(op.ms, op.at); break;
        case 'dqrm': side.dqrm(op.pick, op.tr); break;
        case 'dqreset': side.dqreset(op.pick, op.ms, op.at); break;
        case 'dqpoll': side.dqpoll(); break;
        case 'dqnext': side.dqnext(); break;
        case 'dqpeek': side.dqpeek(); break;
        case 'dqdl': side.dqdl(op.pick); break;
      }
    }
    // Let promise continuations (work that won a race, an interval tick due at once) run,
    // then the pass the driver runs by itself for timers already due at the frozen instant
    // (the model: advance(0)). Between operations that do not wait, that pass waits too.
    const waits = ASYNC.has(op.k);
    if (waits) await settle();
    model.flushLater();
    if (waits) {
      m.advance(0);
      model.flushLater();
    }
    switch (op.k) {
      case 'adv': await advance(op.ms); break;
      case 'jump': await advance(op.years * 365.25 * 86_400_000); break;
      case 'next': {
        const next = m.nextDeadline();
        if (next !== undefined) await advance(Math.max(0, next - m.now + op.off));
        break;
      }
      case 'peek': {
        const got = d.nextDeadline();
        const exp = m.nextDeadline();
        if (got !== exp) fail(`nextDeadline(): driver ${got}, model ${exp}`);
        compare();
        break;
      }
    }
  }
  await advance(HORIZON + 1); // every tick is at most ceil(now + HORIZON)
  await macrotask();
  compare();
  if (hashes) hashes.push(hashTrace(real.trace));
  for (let j = 0; j < real.trace.length; j += 3) totals.records[((real.trace[j] % 16) + 16) % 16]++;
  if (config.seqLimit) totals.renumbered++;
  d.shutdown();
  totals.runs++;
  totals.ops += ops.length;
  for (const op of ops) if (op.k === 'burst') totals.ops += op.n - 1;
  totals.fires += m.fired;
  totals.ms += performance.now() - t0;
}

describe('model: the whole API on a paused driver vs a sorted list', () => {
  afterAll(() => {
    console.log(`model_full.test: ${totals.runs} runs, ${totals.ops} operations, ${totals.fires} fires, ${totals.advances} advances, ${totals.renumbered} runs renumbering, in ${(totals.ms / 1000).toFixed(1)} s`);
    console.log(`model_full.test: parts in use: façade, TimerEntry${Object.entries(HAS).filter(([, v]) => v).map(([k]) => `, ${k}`).join('')}`);
    console.log(`model_full.test: records compared: ${Object.entries(K).map(([name, k]) => `${name} ${totals.records[k]}`).join(', ')}`);
  });

  it(`${RUNS} runs × ${OPS} random operations: same fires, same order, same clock readings, same stats`, async () => {
    const params = fcParams('model_full.test', RUNS);
    await fc.assert(fc.asyncProperty(configArb, opsArray(opArb, OPS), failing((c, ops) => runOps(c, ops))), params);
    if (!process.env.TICKWHEEL_PATH) expect(totals.ops).toBeGreaterThanOrEqual(1_000_000);
  }, 240_000);

  it('one seed run twice gives the same trace', async () => {
    const runs: number[][] = [[], []];
    for (const hashes of runs) {
      await fc.assert(fc.asyncProperty(configArb, opsArray(opArb, 2000), (c, ops) => runOps(c, ops, hashes)), { seed: 20_240_601, numRuns: 3 });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0]).toHaveLength(3);
  }, 60_000);
});
