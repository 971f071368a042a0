// Promise sleeps: N concurrent `await sleep(random 0–50 ms)` in async functions, then
// Promise.all. CPU (process.cpuUsage, user + system) from the first call to the last
// continuation; wall time alongside. The async-function wrapper, Promise.all and the
// random delays are the same for every contender.
//
//   node:timers/promises setTimeout(ms)         Node's promise API (an AbortSignal-aware Timeout)
//   new Promise(r => setTimeout(r, ms))         the hand-rolled idiom
//   tickwheel sleep(ms)                         a Sleep (thenable, one wheel entry)
//   plain-JS wheel / heap: new Promise(r => w.setTimeout(r, ms))
//   (floor, microtask)                          no timer at all: the promise machinery alone
//   (floor, deadline order)                     no timer either, but each promise resolved once its
//                                               delay has passed, in deadline order, by one host
//                                               interval: what any timer's sleeps cost at least

import { setTimeout as sleepNode } from 'node:timers/promises';
import { timers, tw } from '../contenders.mjs';
import { interleave, randomDelays, summarize, Skip, isNotImplemented, now } from '../lib.mjs';

export const id = 'sleep';
export const title = 'promise sleeps';

export async function run({ quick, log }) {
  const n = 1e5;
  const rounds = quick ? 2 : 9;
  const d = randomDelays(n, 0, 50, 51);
  const byName = Object.fromEntries(timers.map((c) => [c.name, c]));
  const nodeSet = globalThis.setTimeout;
  const jw = byName['js wheel (6×64)'];
  const hp = byName['js binary heap'];
  const twSleep = tw.sleep;
  const contenders = [
    { name: 'node timers/promises', ref: true, one: async (ms) => { await sleepNode(ms); } },
    { name: 'node new Promise + setTimeout', one: async (ms) => { await new Promise((r) => nodeSet(r, ms)); } },
    { name: 'tickwheel sleep', ours: true, one: async (ms) => { await twSleep(ms); } },
    { name: 'js wheel (6×64) + Promise', one: async (ms) => { await new Promise((r) => jw.schedule(r, ms)); } },
    { name: 'js binary heap + Promise', one: async (ms) => { await new Promise((r) => hp.schedule(r, ms)); } },
    // Not a timer: what the async function, its promise, a resolver closure and Promise.all
    // cost when nothing waits. No timer library can go below it.
    { name: '(floor: no timer, resolved in a microtask)', one: async () => { await new Promise((r) => queueMicrotask(r)); } },
    // Still not a timer: the promises wait as long as the sleeps do and are resolved in
    // deadline order (ties in creation order), the order any timer must wake them in. It is
    // the microtask floor plus the memory traffic of resolving promises and resuming async
    // frames in an order unrelated to the one they were allocated in.
    { name: '(floor: no timer, resolved in deadline order)', one: async (ms) => { await new Promise((r) => { waiting.push(r); }); }, start: resolveByDeadline },
  ];
  const byDeadline = Array.from(d.keys()).sort((a, b) => d[a] - d[b] || a - b);
  let waiting = [];
  // Resolves the waiting promises in deadline order, each once its delay has passed (checked
  // every 1 ms by one host interval; a sub-ms remainder is not waited out).
  function resolveByDeadline(t0) {
    const order = new Array(n);
    for (let i = 0; i < n; i++) order[i] = waiting[byDeadline[i]];
    waiting = [];
    let k = 0;
    const iv = setInterval(() => {
      const elapsed = now() - t0;
      while (k < n && d[byDeadline[k]] <= elapsed) order[k++]();
      if (k === n) clearInterval(iv);
    }, 1);
  }
  log(`  ${n.toExponential(0)} concurrent sleeps of 0–50 ms (${rounds} rounds)`);
  const { samples, skipped } = await interleave(contenders, rounds, async (c) => {
    if (c.name === 'tickwheel sleep') {
      try { twSleep(1).cancel(); } catch (e) { if (isNotImplemented(e)) throw new Skip('tickwheel sleep is not implemented yet'); throw e; }
    }
    const tasks = new Array(n);
    const one = c.one;
    const cpu0 = process.cpuUsage();
    const w0 = now();
    for (let i = 0; i < n; i++) tasks[i] = one(d[i]);
    if (c.start) c.start(w0);
    await Promise.all(tasks);
    const cpu = process.cpuUsage(cpu0);
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: now() - w0 };
  }, { log });
  const rows = {};
  for (const [name, s] of Object.entries(samples)) rows[name] = { cpuMs: summarize(s.cpuMs), wallMs: summarize(s.wallMs) };
  return { id, title, n, rounds, rows, skipped };
}
