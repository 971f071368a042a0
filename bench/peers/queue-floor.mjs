// Not a timer: the least a JS setTimeout / clearTimeout pair can do before any timer structure
// is involved. schedule + cancel shows it as a floor row, as the sleep scenario shows the
// promise machinery alone.
//
// setTimeout pops a slot from a free list, stores the callback and the delay, queues the slot
// for a microtask checkpoint and returns a generation-tagged integer id; clearTimeout checks
// the id and marks the slot dead. The checkpoint only empties the queue (no deadline is fixed,
// nothing is placed anywhere) and, once a cancel has happened, hands dead slots back to the
// free list in index order in one pass (as tickwheel's sweep does). Nothing ever fires.
//
// Every timer library pays at least this much per timer on top of its own structure, so a
// ratio against a real timer that asks for less than this floor asks for the impossible.

const NIL = -1;
const SLOT_BITS = 23;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const FREE = 0, QUEUED = 1, DEAD = 2;

export class QueueFloor {
  constructor(capacity = 1024) {
    this._cap = 0;
    this._next = new Int32Array(0);
    this._gen = new Uint8Array(0);
    this._state = new Uint8Array(0);
    this._delay = new Float64Array(0);
    this._cbs = [];
    this._free = NIL;
    this._q = new Int32Array(Math.max(1024, capacity));
    this._qLen = 0;
    this._dead = 0;
    this._cpQueued = false;
    this._cp = () => this._checkpoint();
    this._grow(capacity);
  }

  _grow(min) {
    let n = this._cap;
    while (n < min) n += Math.max(1024, n >> 1);
    const g = (A, old) => { const a = new A(n); a.set(old); return a; };
    this._next = g(Int32Array, this._next);
    this._gen = g(Uint8Array, this._gen);
    this._state = g(Uint8Array, this._state);
    this._delay = g(Float64Array, this._delay);
    for (let i = n - 1; i >= this._cap; i--) {
      this._gen[i] = 1;
      this._next[i] = this._free;
      this._free = i;
      this._cbs.push(undefined);
    }
    this._cap = n;
  }

  setTimeout(cb, ms) {
    let d = +ms;
    if (!(d >= 1)) d = 1;
    if (this._free === NIL) this._grow(this._cap + 1);
    const i = this._free;
    this._free = this._next[i];
    this._cbs[i] = cb;
    this._delay[i] = d;
    this._state[i] = QUEUED;
    if (this._qLen === this._q.length) this._qLen = 0; // a full window is simply dropped: nothing to fix
    this._q[this._qLen++] = i;
    this._touch();
    return (this._gen[i] << SLOT_BITS) | i;
  }

  clearTimeout(id) {
    if (typeof id !== 'number') return;
    const i = id & SLOT_MASK;
    if (i < this._cap && this._gen[i] === id >>> SLOT_BITS && this._state[i] === QUEUED) {
      this._state[i] = DEAD;
      this._dead++;
      this._touch();
    }
  }

  _touch() {
    if (!this._cpQueued) {
      this._cpQueued = true;
      queueMicrotask(this._cp);
    }
  }

  _checkpoint() {
    this._cpQueued = false;
    this._qLen = 0;
    if (this._dead === 0) return;
    this._dead = 0;
    let head = NIL;
    for (let i = this._cap - 1; i >= 0; i--) {
      const st = this._state[i];
      if (st === DEAD) {
        this._state[i] = FREE;
        this._cbs[i] = undefined;
        const g = this._gen[i] + 1;
        this._gen[i] = g > 255 ? 1 : g;
      } else if (st !== FREE) {
        continue;
      }
      this._next[i] = head;
      head = i;
    }
    this._free = head;
  }
}
