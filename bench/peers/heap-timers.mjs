// Plain-JS timers on a binary heap, driven by one host setTimeout armed for the earliest
// deadline: the design of many JS timer libraries (and of libuv's own timer heap).
// The heap, keys and batched registration are ./heap-delay-queue.mjs; this adds the
// Node-like API and the host timer. Deadlines are exact ms (not ticks): a timer fires when
// the clock reads >= its deadline.

import { EXPIRED, HeapDelayQueue } from './heap-delay-queue.mjs';

const hostSetTimeout = globalThis.setTimeout;
const hostClearTimeout = globalThis.clearTimeout;

export class HeapTimers extends HeapDelayQueue {
  constructor(opts) {
    super(opts);
    this._origin = performance.now();
    this._clock = () => performance.now() - this._origin;
    this._host = undefined;
    this._hostAt = Infinity;
    this._onHost = () => { this._host = undefined; this._hostAt = Infinity; this._pass(); this._sync(); };
    this._due = new Int32Array(1024);
  }

  now() { return this._clock(); }

  setTimeout(cb, ms) {
    let d = +ms;
    if (!(d >= 1)) d = 1;
    return this.insert(cb, d);
  }

  clearTimeout(id) {
    if (this._drop(id) && !this._cpQueued) {
      this._cpQueued = true;
      queueMicrotask(this._cp);
    }
  }

  refresh(id, ms) {
    const i = this._slotOf(id);
    if (i >= 0) this.reset(id, ms >= 1 ? ms : 1);
  }

  get pending() { return this._size; }

  _afterCheckpoint() { this._sync(); }

  _sync() {
    if (this._n === 0) {
      if (this._host !== undefined) { hostClearTimeout(this._host); this._host = undefined; this._hostAt = Infinity; }
      return;
    }
    const next = this._hk[0];
    if (this._host === undefined || next < this._hostAt) {
      if (this._host !== undefined) hostClearTimeout(this._host);
      this._host = hostSetTimeout(this._onHost, Math.max(0, Math.ceil(next - this._clock())));
      this._hostAt = next;
    }
  }

  _pass() {
    const now = this._clock();
    this._fixNow();
    let due = this._due, nd = 0;
    while (this._n !== 0 && this._hk[0] <= now) {
      const i = this._hv[0];
      this._removeAt(0);
      this._state[i] = EXPIRED;
      if (nd === due.length) { const d2 = new Int32Array(nd * 2); d2.set(due); due = this._due = d2; }
      due[nd++] = i;
    }
    for (let j = 0; j < nd; j++) {
      const i = due[j];
      const live = this._state[i] === EXPIRED;
      const cb = this._val[i];
      if (live) this._size--;
      this._release(i);
      if (live) {
        try { cb(); } catch (e) { queueMicrotask(() => { throw e; }); }
      }
    }
    return nd;
  }
}
