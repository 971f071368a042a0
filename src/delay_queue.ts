// DelayQueue<T>: tokio-util's DelayQueue on the driver's wheel.
//
// Every item is one wheel entry whose target is the queue itself; the queue keeps its own
// slab of items in parallel typed arrays (lru-cache style: no object, no closure per item).
//
//   key = gen * 2^26 + idx         (generation-tagged: a stale key never matches again)
//
//   idx ─┬─ _vals[idx]   the value                  _st[idx]   FREE | PENDING | EXPIRED
//        ├─ _gen[idx]    generation of the key
//        ├─ _dl[idx]     deadline (the requested instant, clamped to now + HORIZON)
//        ├─ _wid[idx]    wheel id while PENDING      _slotIdx[wheel slot] ─► idx
//        ├─ _ord[idx]    arming order (ties of peek)
//        └─ _nx/_pv[idx] links of the EXPIRED list (fired, not yet yielded)
//
// Keys are the queue's, never the wheel's ids: a reset re-keys the wheel entry (one wasm
// call) but the user's key stays the same. When the wheel fires an entry, `_fire(slot)`
// maps the slot back to its item and appends it to the EXPIRED list; items leave that list
// one at a time (pollExpired / next / iteration), in the order the wheel fired them, which
// is deadline order (ties: arming order). Nothing ever scans the queue, except clear().
//
// A relative deadline (insert / reset with ms) is the clock's reading at the call plus ms,
// as tokio-util's Instant::now() + timeout.
//
// A queue that empties hands out idx from 0 again (generations kept), so that a refill
// writes its arrays in order instead of in the order the last items left.
//
// peek() needs "the pending item that fires next", which the shared wheel cannot tell
// per queue. It is answered lazily: the first peek() builds a binary heap of the pending
// items (O(n)) and from then on every arming pushes to it (O(log n)); entries made stale by
// remove / reset / expiry are dropped when they reach the top (and the heap is rebuilt when
// they outnumber the live ones). A queue that never peeks pays nothing for it.

import { defaultDriver } from './compat';
import { HORIZON, SLOT_MASK } from './constants';
import type { Driver, Target } from './driver';
import { clampAt, encodeAt } from './entry';
import { ShutdownError, checkCapacity, checkDeadline, checkDelay, checkOptions } from './errors';
import { deferred, rejectQuietly, type Deferred } from './sleep';

/** An opaque integer naming one item of one DelayQueue, until the item is yielded or removed. */
export type Key = number & { readonly __delayQueueKey: unique symbol };

/** An item that left the queue because its deadline passed. */
export interface Expired<T> { key: Key; value: T; deadline: number }

export interface DelayQueueOptions {
  /** The driver whose clock and wheel it uses; default: the module-level default driver. */
  driver?: Driver;
  /** Items to make room for up front (it grows as needed either way). */
  capacity?: number;
}

const IDX_BITS = 26;
const IDX_LIMIT = 2 ** IDX_BITS;
const IDX_MASK = IDX_LIMIT - 1;
/**
 * Generations run 1 .. 2^24 - 1, so keys stay below 2^50 (exact integers). A slot whose
 * generations are used up is retired (generation 0, never handed out again), so a stale
 * key never matches again, however often its slot was reused.
 */
const GEN_LIMIT = 2 ** 24;

/** Item states: the low two bits of `_st`. */
const FREE = 0;
const PENDING = 1;
const EXPIRED = 2;

type Arr = Uint32Array | Uint8Array | Float64Array | Int32Array;

/** A copy of `a` with room for `n` elements (`n >= a.length`), of the same type. */
function enlarge<A extends Arr>(a: A, n: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a as never);
  return b;
}

/** The wheel's tick for a deadline, as the core computes it (rounded up, at least 0). */
function tickOf(deadline: number): number {
  return deadline > 0 ? Math.ceil(deadline) : 0;
}

/**
 * A queue of values, each yielded once its deadline passes (tokio-util's `DelayQueue`).
 * `insert` returns a Key to `remove` / `reset` the item with; expired items come out in
 * deadline order through `pollExpired()`, `next()` or `for await`.
 *
 * Edge cases:
 * - A key stays valid until its item is yielded or removed; key methods other than
 *   `tryRemove` throw `RangeError` for a stale key, and a stale key never touches a later
 *   item that reused its slot. A non-number key is a `TypeError`.
 * - After the driver's shutdown, inserts and resets throw `ShutdownError` and waits reject
 *   with it; `remove`, `tryRemove`, `deadline`, `peek`, `clear` and `size` still work.
 *
 * @example
 * ```ts
 * import { DelayQueue } from 'tickwheel';
 * const q = new DelayQueue<string>();
 * const k = q.insert('session-1', 30_000);
 * q.reset(k, 30_000);              // activity: push it back
 * for await (const { value } of q) expire(value);
 * ```
 */
export class DelayQueue<T> implements Target {
  /** @internal */ declare _d: Driver;

  private _vals: Array<T | undefined> = [];
  private _gen = new Uint32Array(0);
  private readonly _salt = (Math.random() * 0x1_0000_0000) >>> 0;
  private _st = new Uint8Array(0);
  private _dl = new Float64Array(0);
  private _wid = new Float64Array(0);
  private _ord = new Float64Array(0);
  private _nx = new Int32Array(0);
  private _pv = new Int32Array(0);
  private _free = new Int32Array(0);
  private _freeLen = 0;
  /** Every idx below it has been handed out at least once. */
  private _hi = 0;
  /** The next idx to hand out when the free stack is empty (reset to 0 when the queue empties). */
  private _next = 0;
  private _size = 0;
  private _seq = 0;
  private _slotIdx = new Int32Array(0);
  /** The EXPIRED list, oldest first. */
  private _head = -1;
  private _tail = -1;
  /** The lazily built min-heap by (tick, arming order), for peek(). */
  private _heapOn = false;
  private _hT = new Float64Array(0);
  private _hO = new Float64Array(0);
  private _hI = new Int32Array(0);
  private _hLen = 0;
  private _waiters: Array<Deferred<Expired<T> | undefined>> = [];
  private _closed = false;
  private _dead = false;
  private declare readonly _onShutdown: (err: ShutdownError) => void;

  /**
   * Edge cases: without `opts.driver` it uses the module-level default driver.
   *
   * @throws TypeError if `opts` is not an object or `opts.driver` is not a Driver.
   * @throws TypeError if `opts.capacity` is not a number.
   * @throws RangeError if `opts.capacity` is not from 0 to 2^26.
   * @throws ShutdownError if the driver is shut down.
   *
   * @example
   * ```ts
   * const q = new DelayQueue<number>({ driver: new Driver({ paused: true }), capacity: 1_000 });
   * ```
   */
  constructor(opts?: DelayQueueOptions) {
    const o = checkOptions('opts', opts) as DelayQueueOptions | undefined;
    const d = o?.driver;
    if (d !== undefined && (d === null || typeof d !== 'object' || typeof (d as Driver)._arm !== 'function')) {
      throw new TypeError('The "driver" option must be a tickwheel Driver');
    }
    const cap = o?.capacity;
    checkCapacity('capacity', cap); // 2^26 = IDX_LIMIT items at most
    this._d = d ?? defaultDriver();
    if (this._d._closed) throw new ShutdownError();
    this._onShutdown = (err) => this._stop(err);
    this._grow(Math.max(64, Math.ceil(cap ?? 0)));
  }

  /**
   * Items in the queue: pending, plus expired ones not yielded yet.
   *
   * @example
   * ```ts
   * q.insert('a', 10);
   * q.size; // 1
   * ```
   */
  get size(): number {
    return this._size;
  }

  /**
   * Adds `value`, to be yielded `ms` from now.
   *
   * Edge cases: `0` expires in the next processing pass; `Infinity` or more than the
   * horizon is clamped to now + horizon.
   *
   * @throws TypeError if `ms` is not a number, or the queue is closed.
   * @throws RangeError if `ms` is `NaN` or negative.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * const key = q.insert({ id: 7 }, 5_000);
   * ```
   */
  insert(value: T, ms: number): Key {
    checkDelay('ms', ms);
    return this._insert(value, this._d.now() + Math.min(ms, HORIZON));
  }

  /**
   * Adds `value`, to be yielded once the clock reads `>= deadline` (past instants: at once).
   *
   * Edge cases: a past instant expires in the next processing pass; `Infinity` or beyond
   * now + horizon is clamped to now + horizon.
   *
   * @throws TypeError if `deadline` is not a number, or the queue is closed.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * const key = q.insertAt('report', driver.now() + 60_000);
   * ```
   */
  insertAt(value: T, deadline: number): Key {
    checkDeadline('deadline', deadline);
    return this._insert(value, clampAt(this._d, deadline));
  }

  /**
   * Takes the item out (pending or expired). Throws RangeError for a stale key.
   *
   * Edge cases: works after the driver's shutdown; the key is stale afterwards.
   *
   * @throws RangeError for an unknown, removed or already yielded key.
   * @throws TypeError if `key` is not a number.
   *
   * @example
   * ```ts
   * const { value, deadline } = q.remove(key);
   * ```
   */
  remove(key: Key): { value: T; deadline: number } {
    return this._remove(this._live(key));
  }

  /**
   * Like remove, but returns undefined for a stale key.
   *
   * @throws TypeError if `key` is not a number.
   *
   * @example
   * ```ts
   * q.tryRemove(key); // { value, deadline }
   * q.tryRemove(key); // undefined
   * ```
   */
  tryRemove(key: Key): { value: T; deadline: number } | undefined {
    const idx = this._find(key);
    return idx < 0 ? undefined : this._remove(idx);
  }

  /**
   * Re-arms the item (pending or expired but not yielded) for `ms` from now. The key stays
   * the same.
   *
   * Edge cases: `0` expires in the next pass; `Infinity` is clamped to now + horizon.
   *
   * @throws TypeError if `ms` or `key` is not a number.
   * @throws RangeError if `ms` is `NaN` or negative, or for a stale key.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * q.reset(key, 30_000);
   * ```
   */
  reset(key: Key, ms: number): void {
    checkDelay('ms', ms);
    const idx = this._live(key);
    this._reset(idx, this._d.now() + Math.min(ms, HORIZON));
  }

  /**
   * Re-arms the item (pending or expired but not yielded) for `deadline`.
   *
   * Edge cases: a past instant expires in the next pass; `Infinity` is clamped to
   * now + horizon.
   *
   * @throws TypeError if `deadline` or `key` is not a number.
   * @throws RangeError if `deadline` is `NaN` or `-Infinity`, or for a stale key.
   * @throws ShutdownError after the driver's shutdown.
   *
   * @example
   * ```ts
   * q.resetAt(key, driver.now() + 1_000);
   * ```
   */
  resetAt(key: Key, deadline: number): void {
    checkDeadline('deadline', deadline);
    const idx = this._live(key);
    this._reset(idx, clampAt(this._d, deadline));
  }

  /**
   * The item's deadline: the requested instant, clamped to now + horizon.
   *
   * @throws RangeError for a stale key.
   * @throws TypeError if `key` is not a number.
   *
   * @example
   * ```ts
   * const k = q.insertAt('x', 100.5);
   * q.deadline(k); // 100.5
   * ```
   */
  deadline(key: Key): number {
    return this._dl[this._live(key)];
  }

  /**
   * The key that leaves next: the oldest expired item, else the pending one due first.
   *
   * Edge cases: `undefined` for an empty queue; ties go to the item armed first.
   *
   * @example
   * ```ts
   * const k = q.peek();
   * if (k !== undefined) console.log(q.deadline(k));
   * ```
   */
  peek(): Key | undefined {
    if (this._head >= 0) return this._keyOf(this._head);
    if (this._size === 0) return undefined;
    if (!this._heapOn) this._heapBuild();
    const idx = this._heapTop();
    return idx < 0 ? undefined : this._keyOf(idx);
  }

  /**
   * The next expired item, if the driver has found one (never waits, never early).
   *
   * Edge cases: `undefined` when nothing has expired yet (it does not move the clock or
   * run a pass itself); the key is stale once yielded.
   *
   * @example
   * ```ts
   * for (let e = q.pollExpired(); e; e = q.pollExpired()) handle(e.value);
   * ```
   */
  pollExpired(): Expired<T> | undefined {
    if (this._head < 0) return undefined;
    const item = this._pop();
    if (this._waiters.length !== 0) this._feed();
    return item;
  }

  /**
   * The next expired item, waiting for one if needed; undefined once the queue is empty and
   * closed. Rejects with ShutdownError when the driver shuts down while it waits.
   *
   * Edge cases: an empty queue that is not closed waits for an insert to expire; after the
   * driver's shutdown it rejects with `ShutdownError` (unless an expired item is ready).
   *
   * @example
   * ```ts
   * const item = await q.next();
   * if (item) console.log(item.key, item.value, item.deadline);
   * ```
   */
  next(): Promise<Expired<T> | undefined> {
    try {
      const r = this._poll();
      return r === undefined || 'key' in r ? Promise.resolve(r) : r.p;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Expired items in deadline order; ends once the queue is empty and closed.
   *
   * Edge cases: `break` (`return()`) withdraws the pending wait without losing an item;
   * after the driver's shutdown `next()` rejects with `ShutdownError`.
   *
   * @example
   * ```ts
   * for await (const { value } of q) console.log('expired', value);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Expired<T>> {
    let done = false;
    let inFlight: Deferred<Expired<T> | undefined> | undefined;
    const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
    const it: AsyncIterableIterator<Expired<T>> = {
      next: (): Promise<IteratorResult<Expired<T>>> => {
        if (done) return Promise.resolve(DONE);
        try {
          const w = this._poll();
          if (w === undefined) {
            done = true;
            return Promise.resolve(DONE);
          }
          if ('key' in w) return Promise.resolve({ value: w, done: false });
          inFlight = w;
          return w.p.then((item) => {
            if (inFlight === w) inFlight = undefined;
            if (item === undefined) {
              done = true;
              return DONE;
            }
            return { value: item, done: false }; // delivered even if return() came meanwhile: never lose an item
          });
        } catch (e) {
          return Promise.reject(e);
        }
      },
      return: (): Promise<IteratorResult<Expired<T>>> => {
        done = true;
        const w = inFlight;
        inFlight = undefined;
        if (w !== undefined && this._withdraw(w)) w.res(undefined);
        return Promise.resolve(DONE);
      },
      [Symbol.asyncIterator]() { return it; },
    };
    return it;
  }

  /**
   * Removes every item (their keys become stale).
   *
   * Edge cases: works on an empty queue and after the driver's shutdown; on a closed queue
   * it ends pending `next()` waits with `undefined`.
   *
   * @example
   * ```ts
   * q.clear();
   * q.size; // 0
   * ```
   */
  clear(): void {
    const d = this._d;
    const live = !d._closed;
    for (let i = 0; i < this._hi; i++) {
      const s = this._st[i];
      if (s === FREE) continue;
      if (s === PENDING && live) d._cancel(this._wid[i], true);
      this._release(i);
    }
    this._size = 0;
    this._head = this._tail = -1;
    this._freeLen = 0;
    this._next = 0;
    this._hLen = 0;
    if (this._waiters.length !== 0) this._feed();
  }

  /**
   * No more inserts; `next()` and iteration end once the remaining items have been yielded.
   *
   * Edge cases: idempotent; `insert` / `insertAt` afterwards throw `TypeError`; `reset` of
   * remaining items still works.
   *
   * @example
   * ```ts
   * q.close();
   * for await (const e of q) handle(e); // drains, then ends
   * ```
   */
  close(): void {
    this._closed = true;
    if (this._waiters.length !== 0) this._feed();
  }

  // ---- driver callbacks ----------------------------------------------------------------

  /** @internal The wheel entry at `slot` (one of ours) is due. */
  _fire(_d: Driver, slot: number): void {
    const idx = this._slotIdx[slot];
    if (this._st[idx] !== PENDING || (this._wid[idx] & SLOT_MASK) !== slot) return;
    this._wid[idx] = -1;
    this._st[idx] = EXPIRED;
    this._nx[idx] = -1;
    this._pv[idx] = this._tail;
    if (this._tail >= 0) this._nx[this._tail] = idx; else this._head = idx;
    this._tail = idx;
    if (this._waiters.length !== 0) this._feed();
  }

  /** @internal Called once per pending item by driver.shutdown(). */
  _shutdown(err: ShutdownError): void {
    this._stop(err);
  }

  // ---- items ----------------------------------------------------------------------------

  private _keyOf(idx: number): Key {
    return (this._gen[idx] * IDX_LIMIT + idx) as Key;
  }

  /** The idx a live key names, else -1. */
  private _find(key: unknown): number {
    if (typeof key !== 'number') {
      throw new TypeError(`The "key" argument must be a DelayQueue key (a number). Received ${key === null ? 'null' : typeof key}`);
    }
    const idx = key & IDX_MASK; // ToInt32 keeps the low 26 bits of any key; garbage fails below
    if (idx >= this._hi || this._gen[idx] * IDX_LIMIT + idx !== key || this._st[idx] === FREE) return -1;
    return idx;
  }

  /** The idx a live key names; throws RangeError for a stale key. */
  private _live(key: unknown): number {
    const idx = this._find(key);
    if (idx < 0) {
      throw new RangeError(`The "key" argument is not a key of this DelayQueue (removed, yielded or unknown). Received ${String(key)}`);
    }
    return idx;
  }

  /** Adds `value` for the (clamped) instant `dl`. */
  private _insert(value: T, dl: number): Key {
    const d = this._d;
    if (d._closed) throw new ShutdownError();
    if (this._closed) throw new TypeError('Cannot insert into a closed DelayQueue');
    const idx = this._alloc();
    let id: number;
    try {
      id = d._arm(this, encodeAt(dl), false);
    } catch (e) {
      this._release(idx);
      throw e;
    }
    this._vals[idx] = value;
    this._size++;
    this._armed(idx, id, dl);
    return this._keyOf(idx);
  }

  /** Re-arms item `idx` for the (clamped) instant `dl`. */
  private _reset(idx: number, dl: number): void {
    const d = this._d;
    if (d._closed) throw new ShutdownError();
    let id: number;
    if (this._st[idx] === PENDING) {
      id = d._rekey(this._wid[idx], this, encodeAt(dl), false);
    } else {
      id = d._arm(this, encodeAt(dl), false);
      this._unlink(idx);
    }
    this._armed(idx, id, dl);
  }

  /** Records that item `idx` now waits on wheel entry `id`, for instant `dl`. */
  private _armed(idx: number, id: number, dl: number): void {
    this._wid[idx] = id;
    const slot = id & SLOT_MASK;
    if (slot >= this._slotIdx.length) this._slotIdx = enlarge(this._slotIdx, Math.max(slot + 1, this._slotIdx.length * 2, 1024));
    this._slotIdx[slot] = idx;
    this._st[idx] = PENDING;
    this._dl[idx] = dl;
    this._ord[idx] = this._seq++;
    if (this._heapOn) this._heapPush(idx);
  }

  private _remove(idx: number): { value: T; deadline: number } {
    if (this._st[idx] === PENDING) {
      if (!this._d._closed) this._d._cancel(this._wid[idx], true);
    } else {
      this._unlink(idx);
    }
    const out = { value: this._vals[idx] as T, deadline: this._dl[idx] };
    this._release(idx);
    if (--this._size === 0) this._freeLen = this._next = 0;
    if (this._waiters.length !== 0) this._feed();
    return out;
  }

  /** Yields the oldest expired item (the caller checked there is one). */
  private _pop(): Expired<T> {
    const idx = this._head;
    this._unlink(idx);
    const item: Expired<T> = { key: this._keyOf(idx), value: this._vals[idx] as T, deadline: this._dl[idx] };
    this._release(idx);
    if (--this._size === 0) this._freeLen = this._next = 0;
    return item;
  }

  private _unlink(idx: number): void {
    const n = this._nx[idx];
    const p = this._pv[idx];
    if (p >= 0) this._nx[p] = n; else this._head = n;
    if (n >= 0) this._pv[n] = p; else this._tail = p;
  }

  private _alloc(): number {
    if (this._freeLen !== 0) return this._free[--this._freeLen];
    let idx = this._next++;
    // Free since the queue emptied (its generation moved on), unless retired.
    while (idx < this._hi) {
      if (this._gen[idx] !== 0) return idx;
      idx = this._next++;
    }
    if (this._hi === this._gen.length) {
      if (this._hi >= IDX_LIMIT) {
        this._next = this._hi; // as before the call
        throw new RangeError(`A DelayQueue holds at most 2^${IDX_BITS} items`);
      }
      this._grow(this._hi + 1);
    }
    this._hi++;
    // A salted first generation per queue and slot, so that a key of another queue (or a
    // neighbour's key plus one) names nothing here.
    this._gen[idx] = (Math.imul(idx + this._salt, 0x9e37_79b1) >>> 8) % (GEN_LIMIT - 1) + 1;
    return idx;
  }

  /** Frees `idx`: its key goes stale (the generation moves on). */
  private _release(idx: number): void {
    this._st[idx] = FREE;
    this._vals[idx] = undefined;
    const g = this._gen[idx] + 1;
    if (g < GEN_LIMIT) {
      this._gen[idx] = g;
      this._free[this._freeLen++] = idx;
    } else {
      this._gen[idx] = 0; // retired: a key of it may never match again
    }
  }

  private _grow(min: number): void {
    const n = Math.min(IDX_LIMIT, Math.max(min, this._gen.length * 2, 64));
    this._gen = enlarge(this._gen, n);
    this._st = enlarge(this._st, n);
    this._dl = enlarge(this._dl, n);
    this._wid = enlarge(this._wid, n);
    this._ord = enlarge(this._ord, n);
    this._nx = enlarge(this._nx, n);
    this._pv = enlarge(this._pv, n);
    this._free = enlarge(this._free, n);
  }

  // ---- waiting --------------------------------------------------------------------------

  /**
   * For next() and iteration: the oldest expired item if one is ready and nobody waits
   * before us, undefined once the queue is empty and closed, else a queued wait.
   * @throws ShutdownError after the driver's shutdown.
   */
  private _poll(): Expired<T> | undefined | Deferred<Expired<T> | undefined> {
    if (this._head >= 0 && this._waiters.length === 0) return this._pop();
    if (this._size === 0 && this._closed) return undefined;
    if (this._dead || this._d._closed) throw new ShutdownError();
    return this._enqueue();
  }

  private _enqueue(): Deferred<Expired<T> | undefined> {
    const w = deferred<Expired<T> | undefined>();
    this._waiters.push(w);
    if (this._waiters.length === 1) this._d._shutdownHooks.add(this._onShutdown);
    return w;
  }

  private _withdraw(w: Deferred<Expired<T> | undefined>): boolean {
    const k = this._waiters.indexOf(w);
    if (k < 0) return false;
    this._waiters.splice(k, 1);
    if (this._waiters.length === 0) this._d._shutdownHooks.delete(this._onShutdown);
    return true;
  }

  /** Hands expired items to waiters in order; ends the waits once the queue is empty and closed. */
  private _feed(): void {
    const q = this._waiters;
    while (q.length !== 0 && this._head >= 0) q.shift()!.res(this._pop());
    if (q.length !== 0 && this._size === 0 && this._closed) {
      this._waiters = [];
      for (const w of q) w.res(undefined);
    }
    if (this._waiters.length === 0) this._d._shutdownHooks.delete(this._onShutdown);
  }

  /** The driver shut down: pending items will never expire; every wait rejects. */
  private _stop(err: ShutdownError): void {
    if (this._dead) return;
    this._dead = true;
    const q = this._waiters;
    this._waiters = [];
    for (const w of q) rejectQuietly(w, err);
  }

  // ---- the peek heap: (tick, arming order) -> idx, stale entries dropped lazily ----------

  private _heapBuild(): void {
    this._heapOn = true;
    this._hLen = 0;
    const need = Math.max(64, this._size * 2);
    if (this._hI.length < need) {
      this._hT = new Float64Array(need);
      this._hO = new Float64Array(need);
      this._hI = new Int32Array(need);
    }
    for (let i = 0; i < this._hi; i++) {
      if (this._st[i] !== PENDING) continue; // free or expired
      const k = this._hLen++;
      this._hT[k] = tickOf(this._dl[i]);
      this._hO[k] = this._ord[i];
      this._hI[k] = i;
    }
    for (let k = (this._hLen >> 1) - 1; k >= 0; k--) this._siftDown(k);
  }

  private _heapPush(idx: number): void {
    if (this._hLen > 2 * this._size + 64) {
      this._heapBuild(); // stale entries outnumber live ones; the rebuild includes idx
      return;
    }
    if (this._hLen === this._hI.length) {
      const n = this._hLen * 2;
      this._hT = enlarge(this._hT, n);
      this._hO = enlarge(this._hO, n);
      this._hI = enlarge(this._hI, n);
    }
    let k = this._hLen++;
    const tick = tickOf(this._dl[idx]);
    const ord = this._ord[idx];
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (this._hT[p] < tick || (this._hT[p] === tick && this._hO[p] < ord)) break;
      this._hT[k] = this._hT[p]; this._hO[k] = this._hO[p]; this._hI[k] = this._hI[p];
      k = p;
    }
    this._hT[k] = tick; this._hO[k] = ord; this._hI[k] = idx;
  }

  /** The idx at the top after dropping stale entries, or -1. */
  private _heapTop(): number {
    while (this._hLen !== 0) {
      const idx = this._hI[0];
      if (this._st[idx] === PENDING && this._ord[idx] === this._hO[0]) return idx;
      const last = --this._hLen;
      this._hT[0] = this._hT[last]; this._hO[0] = this._hO[last]; this._hI[0] = this._hI[last];
      this._siftDown(0);
    }
    return -1;
  }

  private _siftDown(k: number): void {
    const n = this._hLen;
    const T = this._hT, O = this._hO, I = this._hI;
    const t = T[k], o = O[k], i = I[k];
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      if (c + 1 < n && (T[c + 1] < T[c] || (T[c + 1] === T[c] && O[c + 1] < O[c]))) c++;
      if (t < T[c] || (t === T[c] && o < O[c])) break;
      T[k] = T[c]; O[k] = O[c]; I[k] = I[c];
      k = c;
    }
    T[k] = t; O[k] = o; I[k] = i;
  }
}
