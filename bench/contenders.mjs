// Every timer implementation the scenarios compare, each with its own monomorphic loops
// (a shared generic loop would add the same megamorphic call to every contender and shrink
// every ratio). Loops take pre-generated delays and write handles into pre-allocated arrays.
//
// tickwheel is used through its public module-level API only (the default driver), as
// users call it. Its deferred work (inserting registrations and applying cancel and refresh
// records at the microtask checkpoint, sweeping cancelled entries once dead ones outnumber
// live ones) happens before the scenario's `await setImmediate` returns, so it is inside
// every timed region.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HeapTimers } from './peers/heap-timers.mjs';
import { JsWheel } from './peers/js-wheel.mjs';

// The build under test: ../dist/index.js, or the copy run.mjs snapshots at start (other
// engineers rebuild dist/ while a long run is in progress; a run must measure one build).
const snapshot = process.env.TICKWHEEL_BENCH_DIST;
const tw = await import(snapshot ? pathToFileURL(snapshot).href : '../dist/index.js');

const require = createRequire(import.meta.url);
const retimer = require('retimer');
const TimeoutRefresh = require('timeout-refresh');
const { TimerWheel } = require('timer-wheel');

const nodeSet = globalThis.setTimeout;
const nodeClear = globalThis.clearTimeout;
const perfNow = () => performance.now();

const twSet = tw.setTimeout;
const twClear = tw.clearTimeout;
const twRefresh = tw.refreshTimeout;
const twNow = tw.now;

// The two plain-JS references start every measured round from a fresh instance sized for
// the round (`fresh(n)`), as tickwheel's swept slab and Node's heap effectively do: their
// free lists are LIFO, so a round of cancels in random order leaves the next round's slots
// scattered over memory (the JS wheel's in-order schedule + cancel of 10^6 timers then costs
// ~4× more). schedule-cancel measures that aged state in a variant of its own.
let jsWheel = new JsWheel();
let heap = new HeapTimers();

/** Contenders for schedule / cancel / refresh / fire. `ref: true` marks the baseline. */
export const timers = [
  {
    name: 'node setTimeout',
    note: 'global setTimeout / clearTimeout / Timeout#refresh',
    ref: true,
    handles: (n) => new Array(n),
    scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = nodeSet(cb, d[i]); },
    cancelAll(h, order) { for (let k = 0; k < order.length; k++) nodeClear(h[order[k]]); },
    refreshAll(h, d, order) { for (let k = 0; k < order.length; k++) h[order[k]].refresh(); },
    now: perfNow,
    schedule: (cb, ms) => nodeSet(cb, ms),
  },
  {
    name: 'tickwheel',
    note: 'module-level setTimeout / clearTimeout / refreshTimeout (default driver)',
    ours: true,
    handles: (n) => new Float64Array(n),
    scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = twSet(cb, d[i]); },
    cancelAll(h, order) { for (let k = 0; k < order.length; k++) twClear(h[order[k]]); },
    refreshAll(h, d, order) { for (let k = 0; k < order.length; k++) twRefresh(h[order[k]]); },
    now: () => twNow(),
    schedule: (cb, ms) => twSet(cb, ms),
  },
  {
    name: 'js wheel (6×64)',
    note: 'bench/peers/js-wheel.mjs: plain-JS 6×64 wheel, typed-array doubly linked lists, batched registration',
    handles: (n) => new Int32Array(n),
    scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = jsWheel.setTimeout(cb, d[i]); },
    cancelAll(h, order) { for (let k = 0; k < order.length; k++) jsWheel.clearTimeout(h[order[k]]); },
    refreshAll(h, d, order) { for (let k = 0; k < order.length; k++) { const j = order[k]; jsWheel.refresh(h[j], d[j]); } },
    now: () => jsWheel.now(),
    schedule: (cb, ms) => jsWheel.setTimeout(cb, ms),
    fresh(n) { jsWheel = new JsWheel(n); },
  },
  {
    name: 'js binary heap',
    note: 'bench/peers/heap-timers.mjs: indexed binary heap + one host setTimeout, batched registration',
    handles: (n) => new Int32Array(n),
    scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = heap.setTimeout(cb, d[i]); },
    cancelAll(h, order) { for (let k = 0; k < order.length; k++) heap.clearTimeout(h[order[k]]); },
    refreshAll(h, d, order) { for (let k = 0; k < order.length; k++) { const j = order[k]; heap.refresh(h[j], d[j]); } },
    now: () => heap.now(),
    schedule: (cb, ms) => heap.setTimeout(cb, ms),
    fresh(n) { heap = new HeapTimers({ capacity: n }); },
  },
  {
    name: 'retimer',
    note: 'npm retimer@4: retimer(cb, ms), .clear(), .reschedule(ms) (lazy: re-arms when the old timer fires)',
    handles: (n) => new Array(n),
    scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = retimer(cb, d[i]); },
    cancelAll(h, order) { for (let k = 0; k < order.length; k++) h[order[k]].clear(); },
    refreshAll(h, d, order) { for (let k = 0; k < order.length; k++) { const j = order[k]; h[j].reschedule(d[j]); } },
    now: perfNow,
    schedule: (cb, ms) => retimer(cb, ms),
  },
  {
    name: 'timeout-refresh',
    note: 'npm timeout-refresh@2: new Timer(ms, cb), .destroy(), .refresh() (wraps Timeout#refresh)',
    handles: (n) => new Array(n),
    scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = new TimeoutRefresh(d[i], cb); },
    cancelAll(h, order) { for (let k = 0; k < order.length; k++) h[order[k]].destroy(); },
    refreshAll(h, d, order) { for (let k = 0; k < order.length; k++) h[order[k]].refresh(); },
    now: perfNow,
    schedule: (cb, ms) => new TimeoutRefresh(ms, cb),
  },
  (() => {
    // timer-wheel has no driver of its own: the caller advances it. Schedule/cancel time
    // is its data structure alone (it is not in the fire scenario: see fire.mjs).
    let wheel = new TimerWheel();
    return {
      name: 'timer-wheel (npm)',
      note: 'npm timer-wheel@1: wheel.schedule(cb, ms) → handle.remove(); reset = remove + schedule; no driver (advanced by the caller), 1024 ms first-level slots',
      handles: (n) => new Array(n),
      scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = wheel.schedule(cb, d[i]); },
      cancelAll(h, order) { for (let k = 0; k < order.length; k++) h[order[k]].remove(); },
      refreshAll(h, d, order, cb) {
        for (let k = 0; k < order.length; k++) { const j = order[k]; h[j].remove(); h[j] = wheel.schedule(cb, d[j]); }
      },
      fresh() { wheel = new TimerWheel(); },
      now: perfNow,
      schedule: (cb, ms) => wheel.schedule(cb, ms),
    };
  })(),
];

/** Extra reset contenders that are not a contender's own refresh. */
export const nodeClearSet = {
  name: 'node clear + set',
  note: 'clearTimeout(t); t = setTimeout(cb, ms)',
  handles: (n) => new Array(n),
  scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = nodeSet(cb, d[i]); },
  cancelAll(h, order) { for (let k = 0; k < order.length; k++) nodeClear(h[order[k]]); },
  refreshAll(h, d, order, cb) {
    for (let k = 0; k < order.length; k++) { const j = order[k]; nodeClear(h[j]); h[j] = nodeSet(cb, d[j]); }
  },
};

/** tickwheel's Sleep, reset to a new deadline (one clock reading for the whole loop). */
export const twSleepReset = {
  name: 'tickwheel Sleep.reset',
  note: 'sleep(ms) then s.reset(now() + ms), now() read once per loop',
  ours: true,
  handles: (n) => new Array(n),
  scheduleAll(d, cb, h) { for (let i = 0; i < d.length; i++) h[i] = tw.sleep(d[i]); },
  cancelAll(h, order) { for (let k = 0; k < order.length; k++) h[order[k]].cancel(); },
  refreshAll(h, d, order) {
    const t = twNow();
    for (let k = 0; k < order.length; k++) { const j = order[k]; h[j].reset(t + d[j]); }
  },
};

export { tw };
