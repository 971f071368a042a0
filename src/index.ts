// tickwheel: a hierarchical timer wheel in WebAssembly, with Tokio's time API and a
// setTimeout-compatible façade. This file only re-exports.

export {
  defaultDriver, now, sleep, sleepUntil, timeout, timeoutAt, interval, intervalAt,
  setTimeout, clearTimeout, setInterval, clearInterval, refreshTimeout, unrefTimeout, refTimeout,
} from './compat';
export { Driver, type DriverOptions, type DriverStats } from './driver';
export { TimerEntry } from './entry';
export { Sleep, type SleepOptions } from './sleep';
export { type TimeoutOptions, type Work } from './timeout';
export { Interval, MissedTickBehavior, type IntervalOptions } from './interval';
export { DelayQueue, type DelayQueueOptions, type Key, type Expired } from './delay_queue';
export { TimeoutError, ShutdownError } from './errors';
export { HORIZON } from './constants';
export type { Clock } from './time_source';
