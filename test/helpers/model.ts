// The naive model the model tests compare the driver against, and what the fast-check
// tests share (delay generators, replay parameters, the counterexample-friendly array).
//
// The model is the slowest correct thing we could write: every pending timer sits in one
// array kept sorted by (tick, sequence number); `advance` pops the first one while it is
// due. It knows nothing of wheels, levels, slots, windows or lazy cancellation, so when
// it and the driver agree on fire order and on the clock reading at every fire, the wheel
// is doing what the contract (shared/API.md) says:
//
//   - a deadline is fixed when its registration is flushed; on a paused clock that is the
//     current paused time, so deadline = now + delay (clamped to now + HORIZON);
//   - it fires at tick ceil(deadline); advance() stops at each due tick in order and the
//     paused clock reads max(that tick, the clock when the pass began) inside the callback;
//   - equal ticks fire in arming order (a refresh or reset re-arms, so it moves to the back);
//   - a timer armed from a callback for a tick the pass has already reached (a past
//     deadline, or delay 0) fires in the next pass at the same instant, never in this one.

import { writeFileSync } from 'node:fs';
import fc from 'fast-check';

/** The wheel's horizon in ms: delays beyond it are clamped (shared/API.md guarantee 6). */
export const HORIZON = 2 ** 36 - 1;

/** 64^k - 1, 64^k, 64^k + 1 for k = 1..6: where a deadline moves from level k-1 to level k. */
export const LEVEL_BOUNDARIES: number[] = [1, 2, 3, 4, 5, 6].flatMap((k) => [64 ** k - 1, 64 ** k, 64 ** k + 1]);

/** The tick an instant fires at: rounded up, never below 0. */
export function tickOf(instant: number): number {
  return instant > 0 ? Math.ceil(instant) : 0;
}

/** A façade delay, coerced as Node's setTimeout does (`Number(ms)`; NaN or < 1 → 1). */
export function coerceDelay(ms: unknown): number {
  const d = Number(ms);
  return d >= 1 ? d : 1;
}

/** The tick of a relative delay armed at `now` (the clamp first, then the rounding up). */
export function tickAfter(now: number, delay: number): number {
  return tickOf(now + (delay < HORIZON ? delay : HORIZON));
}

/** The tick of an absolute deadline armed at `now`: past instants are due at once; clamped to now + HORIZON. */
export function tickAt(now: number, deadline: number): number {
  const limit = now + HORIZON;
  return tickOf(deadline > limit ? limit : deadline);
}

/** What a deadline getter reports: the requested instant, clamped to now + HORIZON. */
export function clampDeadline(now: number, deadline: number): number {
  return deadline > now + HORIZON ? now + HORIZON : deadline;
}

// ---- the model -----------------------------------------------------------------------------

const NOWHERE = 0;
const LISTED = 1; //   in the sorted list
const DEFERRED = 2; // armed during a pass for a tick it already reached: the next pass
const IN_PASS = 3; //  a deferred timer the running pass has taken

/** One timer of the model. `onFire` runs when it fires, with the model's clock already set. */
export class MTimer {
  tick = 0;
  seq = 0;
  /** @internal */ where = NOWHERE;
  constructor(readonly key: number, public onFire: (t: MTimer) => void) {}
  get pending(): boolean { return this.where !== NOWHERE; }
}

/** Sorted descending by (tick, seq), so that the next timer to fire is the last element. */
function before(a: MTimer, b: MTimer): boolean {
  return a.tick < b.tick || (a.tick === b.tick && a.seq < b.seq);
}

export class NaiveModel {
  /** The paused clock. */
  now = 0;
  /** Timers fired and cancelled so far (the driver's stats().fired / cancelled). */
  fired = 0;
  cancelled = 0;
  /** Timers armed and neither fired nor cancelled (the driver's stats().pending). */
  pending = 0;
  private seqNext = 0;
  private readonly list: MTimer[] = [];
  private deferred: MTimer[] = [];
  /** The tick of the pass in progress, or -1 between passes. */
  private passTick = -1;

  /** Arms (or re-arms) `t` for `tick`, behind every timer armed before it. */
  arm(t: MTimer, tick: number): void {
    if (t.where !== NOWHERE) this.unlink(t);
    t.tick = tick;
    t.seq = this.seqNext++;
    this.pending++;
    if (this.passTick >= 0 && tick <= this.passTick) {
      t.where = DEFERRED;
      this.deferred.push(t);
    } else {
      t.where = LISTED;
      const l = this.list;
      let lo = 0;
      let hi = l.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(t, l[mid])) lo = mid + 1; else hi = mid;
      }
      l.splice(lo, 0, t);
    }
  }

  /** Disarms `t`. Returns whether it was pending. Counts nothing: callers decide. */
  disarm(t: MTimer): boolean {
    if (t.where === NOWHERE) return false;
    this.unlink(t);
    return true;
  }

  private unlink(t: MTimer): void {
    if (t.where === LISTED) {
      const l = this.list;
      let lo = 0;
      let hi = l.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(t, l[mid])) lo = mid + 1; else hi = mid;
      }
      if (l[lo] !== t) throw new Error(`model: timer ${t.key} is not where its (tick, seq) says`);
      l.splice(lo, 1);
    } else if (t.where === DEFERRED) {
      this.deferred.splice(this.deferred.indexOf(t), 1);
    } // IN_PASS: the pass skips it (where is no longer IN_PASS)
    t.where = NOWHERE;
    this.pending--;
  }

  /**
   * The tick of the next timer to fire, or undefined (the driver's nextDeadline()); a timer
   * already due (its tick has passed) fires in the next pass, so it reads as the clock.
   */
  nextDeadline(): number | undefined {
    let best = this.list.length ? this.list[this.list.length - 1].tick : Infinity;
    for (const t of this.deferred) if (t.tick < best) best = t.tick;
    return best === Infinity ? undefined : Math.max(best, this.now);
  }

  /** Moves the clock forward by `ms`, firing every due timer in order (the driver's advance). */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      if (this.deferred.length === 0) {
        const first = this.list[this.list.length - 1];
        if (first === undefined || first.tick > target) break;
        if (first.tick > this.now) this.now = first.tick;
      }
      this.pass(Math.floor(this.now));
    }
    if (this.now < target) this.now = target;
  }

  /** Fires every timer due at tick `p`: first those deferred to this pass, then the list. */
  private pass(p: number): void {
    this.passTick = p;
    const mine = this.deferred.sort((a, b) => (before(a, b) ? -1 : 1));
    this.deferred = [];
    for (const t of mine) t.where = IN_PASS;
    let i = 0;
    for (;;) {
      let t: MTimer | undefined;
      while (i < mine.length && mine[i].where !== IN_PASS) i++;
      if (i < mine.length) {
        t = mine[i++];
      } else {
        const l = this.list;
        if (l.length === 0 || l[l.length - 1].tick > p) break;
        t = l.pop()!;
      }
      t.where = NOWHERE;
      this.pending--;
      t.onFire(t);
    }
    this.passTick = -1;
  }
}

// ---- fast-check plumbing ----------------------------------------------------------------

/**
 * An array generated at exactly `length` items (so that every run does the work it is
 * sized for) but shrunk like an array of any length (so that a failure shrinks to the few
 * operations that matter, with the rest removed rather than kept as filler).
 *
 * Shrinking re-runs thousands of operations per candidate, and the candidates of a long
 * array are many: it stops SHRINK_MS after the first failure (see `failing`) and reports
 * the smallest counterexample found by then; TICKWHEEL_SEED + TICKWHEEL_PATH resume from it.
 */
export function opsArray<T>(item: fc.Arbitrary<T>, length: number): fc.Arbitrary<T[]> {
  const gen = fc.array(item, { minLength: length, maxLength: length });
  const shrinker = fc.array(item, { maxLength: length });
  const inTime = () => shrinkUntil === 0 || Date.now() < shrinkUntil;
  class FixedLength extends fc.Arbitrary<T[]> {
    generate(mrng: fc.Random, bias: number | undefined): fc.Value<T[]> { return brief(gen.generate(mrng, bias)); }
    canShrinkWithoutContext(v: unknown): v is T[] { return shrinker.canShrinkWithoutContext(v); }
    shrink(v: T[], ctx: unknown): fc.Stream<fc.Value<T[]>> { return shrinker.shrink(v, ctx).takeWhile(inTime).map(brief); }
  }
  return new FixedLength();
}

/** Counterexamples print in full up to 300 operations; longer ones by count (replay to see them). */
function brief<T>(v: fc.Value<T[]>): fc.Value<T[]> {
  const ops = v.value_;
  Object.defineProperty(ops, fc.toStringMethod, {
    value: () => (ops.length <= 300
      ? `[${ops.map((o) => fc.stringify(o)).join(', ')}]`
      : `[${ops.length} operations; replay with TICKWHEEL_SEED and TICKWHEEL_PATH to see them]`),
  });
  return v;
}

const SHRINK_MS = Number(process.env.TICKWHEEL_SHRINK_MS ?? 60_000);
let shrinkUntil = 0;

/**
 * Wraps a property body: the first failure starts the shrinking clock of `opsArray`. With
 * TICKWHEEL_DUMP=<file>, every failing input is written there as JSON (the last one written
 * is the smallest found), for reading or for a hand-made regression test.
 */
export function failing<A extends unknown[]>(body: (...a: A) => Promise<void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    try {
      await body(...a);
    } catch (e) {
      if (shrinkUntil === 0) shrinkUntil = Date.now() + SHRINK_MS;
      if (process.env.TICKWHEEL_DUMP) writeFileSync(process.env.TICKWHEEL_DUMP, JSON.stringify(a, dumpNumbers));
      throw e;
    }
  };
}

/** JSON that keeps NaN, ±Infinity and -0 (as { $num: "..." }; revive with `Number`). */
function dumpNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { $num: Object.is(v, -0) ? '-0' : String(v) } : v;
}

/**
 * fc.assert parameters: a seed from TICKWHEEL_SEED (with TICKWHEEL_PATH to replay the
 * shrunk counterexample) or a fresh one, printed either way so that any run can be replayed:
 *
 *   TICKWHEEL_SEED=123456 npx vitest run test/model.test.ts
 *   TICKWHEEL_SEED=123456 TICKWHEEL_PATH="0:1:2" npx vitest run test/model.test.ts
 *
 * TICKWHEEL_RUNS overrides the number of runs (for long local soaks); TICKWHEEL_SHRINK_MS
 * the shrinking budget (0: report the first failure as found).
 */
export function fcParams(name: string, numRuns: number): fc.Parameters<unknown> & { seed: number } {
  const env = process.env;
  const seed = env.TICKWHEEL_SEED !== undefined ? Number(env.TICKWHEEL_SEED) : (Date.now() ^ (Math.random() * 0x7fff_ffff)) | 0;
  const path = env.TICKWHEEL_PATH;
  const runs = env.TICKWHEEL_RUNS !== undefined ? Number(env.TICKWHEEL_RUNS) : numRuns;
  shrinkUntil = 0;
  console.log(`${name}: seed ${seed}${path ? `, path ${path}` : ''}, ${runs} runs (replay: TICKWHEEL_SEED=${seed})`);
  return {
    seed,
    numRuns: path ? 1 : runs,
    ...(path || SHRINK_MS === 0 ? { path, endOnFailure: true } : {}),
  };
}

/** A delay that lands near every level boundary, small, spread over the wheel's range, or beyond it. */
export function delayArb(opts: { weird?: boolean } = {}): fc.Arbitrary<number> {
  const arbs: Array<fc.WeightedArbitrary<number>> = [
    { arbitrary: fc.integer({ min: 0, max: 130 }), weight: 8 },
    { arbitrary: fc.constantFrom(...LEVEL_BOUNDARIES), weight: 4 },
    // log-uniform over 1 ms .. 2^37 ms: every level gets its share
    { arbitrary: fc.tuple(fc.integer({ min: 0, max: 36 }), fc.integer({ min: 0, max: 2 ** 20 })).map(([e, f]) => Math.floor(2 ** e * (1 + f / 2 ** 20))), weight: 4 },
    { arbitrary: fc.constantFrom(HORIZON - 1, HORIZON, HORIZON + 1, 2 ** 37, 2 ** 40, 1e15, Infinity, Number.MAX_VALUE), weight: 1 },
  ];
  if (opts.weird) {
    // what the Node-compatible façade coerces: NaN, < 1 and -0 → 1 ms, fractions kept
    arbs.push({ arbitrary: fc.constantFrom(NaN, -1, -0, 0, 0.25, 0.999, 1.5, 2.75, 63.5, 64.5, -Infinity), weight: 1 });
  }
  return fc.oneof(...arbs);
}

/** How far advance() moves: mostly small steps, every level boundary, fractions, years. */
export function advanceArb(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 70 }), weight: 10 },
    { arbitrary: fc.constantFrom(...LEVEL_BOUNDARIES.slice(0, 12)), weight: 3 }, // up to 64^4 + 1 (~4.7 h)
    { arbitrary: fc.constantFrom(...LEVEL_BOUNDARIES.slice(12)), weight: 1 }, //   64^5 ± 1, 64^6 ± 1 (~12 d, ~2.2 y)
    { arbitrary: fc.integer({ min: 0, max: 2 ** 20 }), weight: 2 },
    { arbitrary: fc.constantFrom(0.5, 0.25, 1.5, 63.75, 64.25), weight: 1 },
  );
}

/**
 * The model tests keep the paused clock below this (about 139 years). The driver's own
 * clock ends at 2^43 - 2^37 ms (ticks are 43 bits; advance() past it is a RangeError, see
 * test/faults.test.ts), and a drain of HORIZON + 1 must still fit after the last operation.
 * Year-long jumps are taken up to here; a run that gets here keeps stepping by less.
 */
export const CLOCK_LIMIT = 2 ** 42;

/** `ms`, or a smaller step when `ms` would take the clock past CLOCK_LIMIT. */
export function limitStep(now: number, ms: number): number {
  return now + ms > CLOCK_LIMIT ? ms % 4096 : ms;
}

/** A cheap order-sensitive hash of a trace of numbers (to compare two runs of one seed). */
export function hashTrace(xs: ArrayLike<number>, h = 0x811c9dc5): number {
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < xs.length; i++) {
    f[0] = xs[i];
    h = Math.imul(h ^ u[0], 0x01000193);
    h = Math.imul(h ^ u[1], 0x01000193);
  }
  return h >>> 0;
}
