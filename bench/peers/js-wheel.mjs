// A plain-JS hierarchical timer wheel: the reference that tells us what WebAssembly buys.
//
// Same shape as tickwheel's core (6 levels × 64 slots of 1 ms, 64 ms, ~4.1 s, ...; a deadline
// lives at the lowest level whose current rotation contains it; `occupied` bitfields find the
// next slot with one ctz), written the way a careful JS engineer would write it:
//
//   - entries are slot indices into typed arrays (no object per timer); callbacks live in one
//     plain Array; ids are (generation << 23) | slot, a Smi, so stale ids are recognised;
//   - lists are doubly linked (next/prev Int32Array) and cancel unlinks at once (eager, O(1));
//   - registrations are batched exactly as tickwheel batches them: `setTimeout` stores the
//     delay and queues the slot; a microtask checkpoint reads the clock once and inserts the
//     whole batch. So the comparison with tickwheel isolates "wasm vs JS", not the clock trick;
//   - one host setTimeout is armed for the next expiration; a pass fires every due entry.
//
// Not a product: no unref, no intervals, FIFO within a tick is not promised.

const SLOT_BITS = 6;
const SLOTS = 64;
const LEVELS = 6;
const HORIZON = 2 ** 36 - 1;
const NIL = -1;
const SLOT_ID_BITS = 23;
const SLOT_MASK = (1 << SLOT_ID_BITS) - 1;

const FREE = 0, QUEUED = 1, QUEUED_DEAD = 2, LIVE = 3, EXPIRED = 4, EXPIRED_DEAD = 5;
/** 64^level, exact in f64. */
const SPAN = [1, 64, 4096, 262144, 16777216, 1073741824, 68719476736];

const perf = globalThis.performance;
const hostSetTimeout = globalThis.setTimeout;
const hostClearTimeout = globalThis.clearTimeout;

/** Index of the lowest set bit of a nonzero u32. */
function ctz32(x) { return 31 - Math.clz32(x & -x); }

export class JsWheel {
  constructor(capacity = 1024) {
    this._cap = 0;
    this._next = new Int32Array(0);
    this._prev = new Int32Array(0);
    this._list = new Int16Array(0); //  which list an entry is in
    this._tick = new Float64Array(0); // the deadline tick; the delay while QUEUED
    this._state = new Uint8Array(0);
    this._gen = new Uint8Array(0);
    this._cbs = [];
    this._free = NIL; // free list through _next
    this._heads = new Int32Array(LEVELS * SLOTS).fill(NIL);
    this._tails = new Int32Array(LEVELS * SLOTS).fill(NIL);
    this._occ = new Uint32Array(LEVELS * 2); // lo, hi word per level
    this._elapsed = 0;
    this._q = new Int32Array(Math.max(1024, capacity)); // sized for a burst of `capacity`, as a warmed instance is
    this._qLen = 0;
    this._cpQueued = false;
    this._cp = () => this._checkpoint();
    this._origin = perf.now();
    this._host = undefined;
    this._hostTick = Infinity;
    this._onHost = () => { this._host = undefined; this._hostTick = Infinity; this._pass(); this._sync(); };
    this._due = new Int32Array(1024);
    this._live = 0;
    this._nl = 0; this._no = 0; this._ns = 0;
    this._grow(capacity);
  }

  now() { return perf.now() - this._origin; }

  _grow(min) {
    let n = this._cap;
    while (n < min) n += Math.max(1024, n >> 1);
    const g = (A, old) => { const a = new A(n); a.set(old); return a; };
    this._next = g(Int32Array, this._next);
    this._prev = g(Int32Array, this._prev);
    this._list = g(Int16Array, this._list);
    this._tick = g(Float64Array, this._tick);
    this._state = g(Uint8Array, this._state);
    this._gen = g(Uint8Array, this._gen);
    for (let i = n - 1; i >= this._cap; i--) {
      this._gen[i] = 1;
      this._next[i] = this._free;
      this._free = i;
      this._cbs.push(undefined);
    }
    this._cap = n;
  }

  _alloc() {
    if (this._free === NIL) this._grow(this._cap + 1);
    const i = this._free;
    this._free = this._next[i];
    return i;
  }

  _release(i) {
    this._state[i] = FREE;
    this._cbs[i] = undefined;
    const g = this._gen[i] + 1;
    this._gen[i] = g > 255 ? 1 : g;
    this._next[i] = this._free;
    this._free = i;
  }

  /** The slot of a live id, or -1. */
  _slotOf(id) {
    if (typeof id !== 'number') return -1;
    const i = id & SLOT_MASK;
    return i < this._cap && this._gen[i] === id >>> SLOT_ID_BITS ? i : -1;
  }

  // ---- the Node-like API ------------------------------------------------------------------

  setTimeout(cb, ms) {
    let d = +ms;
    if (!(d >= 1)) d = 1;
    if (d > HORIZON) d = HORIZON;
    const i = this._alloc();
    this._cbs[i] = cb;
    this._tick[i] = d;
    this._state[i] = QUEUED;
    this._enqueue(i);
    this._live++;
    return (this._gen[i] << SLOT_ID_BITS) | i;
  }

  clearTimeout(id) {
    const i = this._slotOf(id);
    if (i < 0) return;
    const st = this._state[i];
    if (st === LIVE) {
      this._unlink(i);
      this._release(i);
    } else if (st === QUEUED) {
      this._state[i] = QUEUED_DEAD; // the flush frees it
      this._cbs[i] = undefined;
    } else if (st === EXPIRED) {
      this._state[i] = EXPIRED_DEAD;
      return;
    } else {
      return;
    }
    this._live--;
    this._touch();
  }

  /** Re-arms a pending timer with `ms` (its original delay if omitted would need storing it; pass it). */
  refresh(id, ms) {
    const i = this._slotOf(id);
    if (i < 0) return;
    const st = this._state[i];
    if (st === LIVE) {
      this._unlink(i);
      this._state[i] = QUEUED;
      this._tick[i] = ms >= 1 ? ms : 1;
      this._enqueue(i);
    } else if (st === QUEUED) {
      this._tick[i] = ms >= 1 ? ms : 1; // already waiting for the flush
    }
  }

  get pending() { return this._live; }

  // ---- lists and bitfields ---------------------------------------------------------------

  _append(k, i) {
    const t = this._tails[k];
    this._next[i] = NIL;
    this._prev[i] = t;
    this._list[i] = k;
    if (t === NIL) {
      this._heads[k] = i;
      const l = (k >>> SLOT_BITS) << 1, s = k & 63;
      if (s < 32) this._occ[l] |= 1 << s; else this._occ[l + 1] |= 1 << (s - 32);
    } else {
      this._next[t] = i;
    }
    this._tails[k] = i;
  }

  _unlink(i) {
    const k = this._list[i];
    const p = this._prev[i], n = this._next[i];
    if (p === NIL) this._heads[k] = n; else this._next[p] = n;
    if (n === NIL) this._tails[k] = p; else this._prev[n] = p;
    if (p === NIL && n === NIL) {
      const l = (k >>> SLOT_BITS) << 1, s = k & 63;
      if (s < 32) this._occ[l] &= ~(1 << s); else this._occ[l + 1] &= ~(1 << (s - 32));
    }
  }

  /** Detaches list k; returns its head. */
  _take(k) {
    const h = this._heads[k];
    this._heads[k] = NIL;
    this._tails[k] = NIL;
    const l = (k >>> SLOT_BITS) << 1, s = k & 63;
    if (s < 32) this._occ[l] &= ~(1 << s); else this._occ[l + 1] &= ~(1 << (s - 32));
    return h;
  }

  /** Level of tick `when` (> elapsed): the highest differing 6-bit digit. */
  _levelFor(when) {
    const e = this._elapsed;
    if (when < 0x8000_0000 && e < 0x8000_0000) {
      const x = (e ^ when) | 63;
      return ((31 - Math.clz32(x)) / SLOT_BITS) | 0;
    }
    for (let l = 0; l < LEVELS - 1; l++) {
      if (Math.floor(when / SPAN[l + 1]) === Math.floor(e / SPAN[l + 1])) return l;
    }
    return LEVELS - 1;
  }

  _insert(i, tick) {
    const l = this._levelFor(tick);
    const s = tick < 0x8000_0000 ? (tick >>> (l * SLOT_BITS)) & 63 : Math.floor(tick / SPAN[l]) % 64;
    this._append(l * SLOTS + s, i);
  }

  // ---- the checkpoint: one clock reading per batch -----------------------------------------

  _enqueue(i) {
    if (this._qLen === this._q.length) {
      const q = new Int32Array(this._q.length * 2);
      q.set(this._q);
      this._q = q;
    }
    this._q[this._qLen++] = i;
    this._touch();
  }

  _touch() {
    if (!this._cpQueued) {
      this._cpQueued = true;
      queueMicrotask(this._cp);
    }
  }

  _checkpoint() {
    this._cpQueued = false;
    if (this._qLen !== 0) this._flush(this.now());
    this._sync();
  }

  _flush(now) {
    const q = this._q, n = this._qLen, st = this._state, tk = this._tick;
    const min = this._elapsed + 1;
    for (let j = 0; j < n; j++) {
      const i = q[j];
      const s = st[i];
      if (s === QUEUED) {
        let t = Math.ceil(now + tk[i]);
        if (t < min) t = min;
        tk[i] = t;
        st[i] = LIVE;
        this._insert(i, t);
      } else if (s === QUEUED_DEAD) {
        this._release(i);
      }
    }
    this._qLen = 0;
    if (n > 65536) this._q = new Int32Array(1024);
  }

  // ---- expiry ----------------------------------------------------------------------------

  /**
   * Finds the next occupied slot: sets _nl (level), _no (offset 1..64 from the current slot)
   * and _ns (slot index); false when the wheel is empty.
   */
  _nextSlot() {
    const occ = this._occ;
    for (let l = 0; l < LEVELS; l++) {
      const lo = occ[2 * l], hi = occ[2 * l + 1];
      if ((lo | hi) === 0) continue;
      const e = this._elapsed;
      const nowSlot = e < 0x8000_0000 ? (e >>> (l * SLOT_BITS)) & 63 : Math.floor(e / SPAN[l]) % 64;
      // Search slots nowSlot+1 .. 63, then 0 .. nowSlot (the current slot counts as 64 away).
      const from = nowSlot + 1;
      let s = -1;
      if (from < 32) {
        const m = lo & (~0 << from);
        if (m !== 0) s = ctz32(m);
        else if (hi !== 0) s = 32 + ctz32(hi);
        else s = ctz32(lo);
      } else if (from < 64) {
        const m = hi & (~0 << (from - 32));
        if (m !== 0) s = 32 + ctz32(m);
        else if (lo !== 0) s = ctz32(lo);
        else s = 32 + ctz32(hi);
      } else {
        s = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
      }
      let offset = (s - nowSlot) & 63;
      if (offset === 0) offset = 64;
      this._nl = l; this._no = offset; this._ns = s;
      return true;
    }
    return false;
  }

  /** The tick at which the next occupied slot starts, or Infinity. */
  nextExpiration() {
    if (!this._nextSlot()) return Infinity;
    const span = SPAN[this._nl];
    return Math.floor(this._elapsed / span) * span + this._no * span;
  }

  /** Fires every entry due by the clock now. */
  _pass() {
    if (this._qLen !== 0) this._flush(this.now());
    const nowTick = Math.floor(this.now());
    let due = this._due, nd = 0;
    for (;;) {
      if (!this._nextSlot()) break;
      const l = this._nl, offset = this._no, s = this._ns;
      const span = SPAN[l];
      const start = Math.floor(this._elapsed / span) * span + offset * span;
      if (start > nowTick) break;
      this._elapsed = start;
      let i = this._take(l * SLOTS + s);
      while (i !== NIL) {
        const nx = this._next[i];
        const t = this._tick[i];
        if (t <= start) {
          this._state[i] = EXPIRED;
          if (nd === due.length) { const d2 = new Int32Array(nd * 2); d2.set(due); due = this._due = d2; }
          due[nd++] = i;
        } else {
          this._insert(i, t); // cascade to a lower level
        }
        i = nx;
      }
    }
    if (this._elapsed < nowTick) this._elapsed = nowTick;
    for (let j = 0; j < nd; j++) {
      const i = due[j];
      if (this._state[i] === EXPIRED) {
        const cb = this._cbs[i];
        this._live--;
        this._release(i);
        try { cb(); } catch (e) { queueMicrotask(() => { throw e; }); }
      } else {
        this._release(i); // cancelled by an earlier callback of this batch
      }
    }
    return nd;
  }

  _sync() {
    const next = this.nextExpiration();
    if (next === Infinity) {
      if (this._host !== undefined) { hostClearTimeout(this._host); this._host = undefined; this._hostTick = Infinity; }
      return;
    }
    if (this._host === undefined || next < this._hostTick) {
      if (this._host !== undefined) hostClearTimeout(this._host);
      this._host = hostSetTimeout(this._onHost, Math.max(0, Math.ceil(next - this.now())));
      this._hostTick = next;
    }
  }
}
