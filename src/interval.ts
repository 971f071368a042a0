// Interval — TODO(issue 3).
import type { Driver } from './driver';

export type MissedTickBehavior = 'burst' | 'delay' | 'skip';
export const MissedTickBehavior = Object.freeze({ Burst: 'burst', Delay: 'delay', Skip: 'skip' } as const);
export interface IntervalOptions { missedTickBehavior?: MissedTickBehavior; signal?: AbortSignal }

export class Interval {
  period = 0;
  missedTickBehavior: MissedTickBehavior = 'burst';
  tick(): Promise<number> { throw new Error('not implemented yet'); }
}

export function makeInterval(_d: Driver, _period: number, _opts?: IntervalOptions): Interval { throw new Error('not implemented yet'); }
export function makeIntervalAt(_d: Driver, _start: number, _period: number, _opts?: IntervalOptions): Interval { throw new Error('not implemented yet'); }
