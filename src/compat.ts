// The module-level API: every function runs on one default driver, created on first use
// (real time, host-timer driven).

import { Driver } from './driver';
import type { Interval, IntervalOptions } from './interval';
import type { Sleep, SleepOptions } from './sleep';
import type { TimeoutOptions, Work } from './timeout';

let dd: Driver | undefined;

/** The driver behind the module-level functions, created on first use. */
export function defaultDriver(): Driver {
  return dd ??= new Driver();
}

/** The default driver's clock, in ms (monotonic, near 0 when it was created). */
export function now(): number {
  return (dd ?? defaultDriver()).now();
}

export function sleep(ms: number, opts?: SleepOptions): Sleep {
  return (dd ?? defaultDriver()).sleep(ms, opts);
}

export function sleepUntil(deadline: number, opts?: SleepOptions): Sleep {
  return (dd ?? defaultDriver()).sleepUntil(deadline, opts);
}

export function timeout<T>(ms: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
  return (dd ?? defaultDriver()).timeout(ms, work, opts);
}

export function timeoutAt<T>(deadline: number, work: Work<T>, opts?: TimeoutOptions): Promise<T> {
  return (dd ?? defaultDriver()).timeoutAt(deadline, work, opts);
}

export function interval(periodMs: number, opts?: IntervalOptions): Interval {
  return (dd ?? defaultDriver()).interval(periodMs, opts);
}

export function intervalAt(start: number, periodMs: number, opts?: IntervalOptions): Interval {
  return (dd ?? defaultDriver()).intervalAt(start, periodMs, opts);
}

/** Node/HTML-compatible setTimeout on the default driver: returns a positive integer id. */
export function setTimeout<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
export function setTimeout(cb: (...a: unknown[]) => void, ms?: number): number {
  const d = dd ?? defaultDriver();
  // Forward extra arguments only when there are some: no array per plain call.
  return arguments.length > 2
    ? (d.setTimeout as (...a: unknown[]) => number).apply(d, arguments as unknown as unknown[])
    : d.setTimeout(cb, ms);
}

export function setInterval<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): number;
export function setInterval(cb: (...a: unknown[]) => void, ms?: number): number {
  const d = dd ?? defaultDriver();
  return arguments.length > 2
    ? (d.setInterval as (...a: unknown[]) => number).apply(d, arguments as unknown as unknown[])
    : d.setInterval(cb, ms);
}

export function clearTimeout(id: number | undefined): void {
  if (dd !== undefined) dd.clearTimeout(id);
}

export function clearInterval(id: number | undefined): void {
  if (dd !== undefined) dd.clearTimeout(id);
}

export function refreshTimeout(id: number): void {
  if (dd !== undefined) dd.refreshTimeout(id);
}

export function unrefTimeout(id: number): void {
  if (dd !== undefined) dd.unrefTimeout(id);
}

export function refTimeout(id: number): void {
  if (dd !== undefined) dd.refTimeout(id);
}
