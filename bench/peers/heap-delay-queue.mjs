// A plain-JS delay queue on an indexed binary min-heap: the textbook alternative to a wheel.
//
//   slots (typed arrays, one index per item)        heap (parallel arrays, by heap position)
//   ┌────────┬──────┬─────┬───────┬─────┐          ┌──────────┬────────┬──────┐
//   │ state  │ gen  │ pos │ delay │ val │          │ deadline │ seq    │ slot │  hk / hs / hv
//   └────────┴──────┴─────┴───────┴─────┘          └──────────┴────────┴──────┘
//
// Keys are (generation << 23) | slot, so a stale key is recognised and never touches the item
// that reused its slot. Ordering is (deadline, seq): equal deadlines come out in insertion
// order. The deadline's key and tie-breaker sit in the heap arrays themselves, so a sift
// compares neighbouring memory instead of chasing slot indices.
//
// Registrations are batched like tickwheel's: `insert` queues the item, and one clock reading
// at the next microtask checkpoint (or at the first query that needs a deadline) fixes every
// queued deadline and pushes them on the heap. The comparison with tickwheel therefore
// measures the data structure, not who reads the clock less.
//
// Used directly by the DelayQueue benchmark, and by ./heap-timers.mjs (one host setTimeout).

const SLOT_ID_BITS = 23;
const SLOT_MASK = (1 << SLOT_ID_BITS) - 1;
const NIL = -1;

export const FREE = 0, QUEUED = 1, QUEUED_DEAD = 2, LIVE = 3, REFRESHING = 4, EXPIRED = 5, EXPIRED_DEAD = 6;

const perf = globalThis.performance;

export class HeapDelayQueue {
  constructor(opts = {}) {
    this._clock = opts.now ?? (() => perf.now());
    this._cap = 0;
    this._state = new Uint8Array(0);
    this._gen = new Uint8Array(0);
    this._pos = new Int32Array(0); // heap position, or the free-list link while FREE
    this._delay = new Float64Array(0);
    this._val = [];
    this._free = NIL;
    this._hk = new Float64Array(1024); // deadline
    this._hs = new Float64Array(1024); // seq
    this._hv = new Int32Array(1024); //   slot
    this._n = 0;
    this._seq = 0;
    this._q = new Int32Array(1024);
    this._qLen = 0;
    this._cpQueued = false;
    this._cp = () => this._checkpoint();
    this._size = 0;
    this._grow(opts.capacity ?? 1024);
  }

  get size() { return this._size; }

  // ---- storage ---------------------------------------------------------------------------

  _grow(min) {
    let n = this._cap;
    while (n < min) n += Math.max(1024, n >> 1);
    const g = (A, old) => { const a = new A(n); a.set(old); return a; };
    this._state = g(Uint8Array, this._state);
    this._gen = g(Uint8Array, this._gen);
    this._pos = g(Int32Array, this._pos);
    this._delay = g(Float64Array, this._delay);
    for (let i = n - 1; i >= this._cap; i--) {
      this._gen[i] = 1;
      this._pos[i] = this._free;
      this._free = i;
      this._val.push(undefined);
    }
    this._cap = n;
    if (this._hk.length < n) {
      this._hk = g(Float64Array, this._hk);
      this._hs = g(Float64Array, this._hs);
      this._hv = g(Int32Array, this._hv);
    }
  }

  _alloc() {
    if (this._free === NIL) this._grow(this._cap + 1);
    const i = this._free;
    this._free = this._pos[i];
    return i;
  }

  _release(i) {
    this._state[i] = FREE;
    this._val[i] = undefined;
    const g = this._gen[i] + 1;
    this._gen[i] = g > 255 ? 1 : g;
    this._pos[i] = this._free;
    this._free = i;
  }

  _slotOf(key) {
    if (typeof key !== 'number') return -1;
    const i = key & SLOT_MASK;
    if (i >= this._cap || this._gen[i] !== key >>> SLOT_ID_BITS) return -1;
    const st = this._state[i];
    return st === FREE || st === QUEUED_DEAD || st === EXPIRED_DEAD ? -1 : i;
  }

  // ---- heap ------------------------------------------------------------------------------

  _siftUp(k) {
    const hk = this._hk, hs = this._hs, hv = this._hv, pos = this._pos;
    const key = hk[k], seq = hs[k], v = hv[k];
    while (k > 0) {
      const p = (k - 1) >> 1;
      const pk = hk[p];
      if (pk < key || (pk === key && hs[p] < seq)) break;
      hk[k] = pk; hs[k] = hs[p]; hv[k] = hv[p]; pos[hv[k]] = k;
      k = p;
    }
    hk[k] = key; hs[k] = seq; hv[k] = v; pos[v] = k;
  }

  _siftDown(k) {
    const hk = this._hk, hs = this._hs, hv = this._hv, pos = this._pos, n = this._n;
    const key = hk[k], seq = hs[k], v = hv[k];
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (hk[r] < hk[c] || (hk[r] === hk[c] && hs[r] < hs[c]))) c = r;
      const ck = hk[c];
      if (key < ck || (key === ck && seq < hs[c])) break;
      hk[k] = ck; hs[k] = hs[c]; hv[k] = hv[c]; pos[hv[k]] = k;
      k = c;
    }
    hk[k] = key; hs[k] = seq; hv[k] = v; pos[v] = k;
  }

  _push(i, deadline) {
    const k = this._n++;
    this._hk[k] = deadline;
    this._hs[k] = this._seq++;
    this._hv[k] = i;
    this._siftUp(k);
  }

  /** Removes heap position k. */
  _removeAt(k) {
    const last = --this._n;
    if (k === last) return;
    this._hk[k] = this._hk[last]; this._hs[k] = this._hs[last]; this._hv[k] = this._hv[last];
    this._pos[this._hv[k]] = k;
    if (k > 0 && this._hk[k] < this._hk[(k - 1) >> 1]) this._siftUp(k); else this._siftDown(k);
  }

  // ---- the batch of registrations ----------------------------------------------------------

  _enqueue(i) {
    if (this._qLen === this._q.length) {
      const q = new Int32Array(this._q.length * 2);
      q.set(this._q);
      this._q = q;
    }
    this._q[this._qLen++] = i;
    if (!this._cpQueued) {
      this._cpQueued = true;
      queueMicrotask(this._cp);
    }
  }

  _checkpoint() {
    this._cpQueued = false;
    if (this._qLen !== 0) this._fix(this._clock());
    this._afterCheckpoint();
  }

  /** Hook for subclasses (the timers re-arm their host timer here). */
  _afterCheckpoint() {}

  /** Fixes every queued deadline against one reading `now`. */
  _fix(now) {
    const q = this._q, n = this._qLen, st = this._state, delay = this._delay;
    for (let j = 0; j < n; j++) {
      const i = q[j];
      const s = st[i];
      if (s === QUEUED) {
        st[i] = LIVE;
        this._push(i, now + delay[i]);
      } else if (s === REFRESHING) {
        st[i] = LIVE;
        const k = this._pos[i];
        this._hk[k] = now + delay[i];
        this._hs[k] = this._seq++;
        if (k > 0 && this._hk[k] < this._hk[(k - 1) >> 1]) this._siftUp(k); else this._siftDown(k);
      } else if (s === QUEUED_DEAD) {
        this._release(i);
      }
    }
    this._qLen = 0;
    if (n > 65536) this._q = new Int32Array(1024);
  }

  _fixNow() {
    if (this._qLen !== 0) this._fix(this._clock());
  }

  // ---- Tokio-util's DelayQueue API (the part the benchmark needs) ---------------------------

  insert(value, ms) {
    const i = this._alloc();
    this._val[i] = value;
    this._delay[i] = ms > 0 ? ms : 0;
    this._state[i] = QUEUED;
    this._enqueue(i);
    this._size++;
    return (this._gen[i] << SLOT_ID_BITS) | i;
  }

  /** Drops the item without building a result object; returns false for a stale key. */
  _drop(key) {
    const i = this._slotOf(key);
    if (i < 0) return false;
    const st = this._state[i];
    if (st === LIVE || st === REFRESHING) {
      this._removeAt(this._pos[i]);
      if (st === REFRESHING) { this._state[i] = QUEUED_DEAD; this._val[i] = undefined; } // the flush frees it
      else this._release(i);
    } else if (st === QUEUED) {
      this._state[i] = QUEUED_DEAD;
      this._val[i] = undefined;
    } else if (st === EXPIRED) {
      this._state[i] = EXPIRED_DEAD;
    }
    this._size--;
    return true;
  }

  remove(key) {
    const i = this._slotOf(key);
    if (i < 0) throw new RangeError('remove: stale or unknown key');
    if (this._state[i] === QUEUED || this._state[i] === REFRESHING) this._fixNow();
    const value = this._val[i];
    const deadline = this._hk[this._pos[i]];
    this._drop(key);
    return { value, deadline };
  }

  /** Re-arms `key` to fire `ms` from the next checkpoint's reading. */
  reset(key, ms) {
    const i = this._slotOf(key);
    if (i < 0) throw new RangeError('reset: stale or unknown key');
    this._delay[i] = ms > 0 ? ms : 0;
    if (this._state[i] === LIVE) {
      this._state[i] = REFRESHING;
      this._enqueue(i);
    }
  }

  peekDeadline() {
    this._fixNow();
    return this._n === 0 ? undefined : this._hk[0];
  }

  /** The next item whose deadline is <= now, or undefined. */
  pollExpired(now = this._clock()) {
    this._fixNow();
    if (this._n === 0 || this._hk[0] > now) return undefined;
    const i = this._hv[0], deadline = this._hk[0];
    this._removeAt(0);
    const value = this._val[i];
    const key = (this._gen[i] << SLOT_ID_BITS) | i;
    this._release(i);
    this._size--;
    return { key, value, deadline };
  }
}
