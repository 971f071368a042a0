// DelayQueue — TODO(issue 3).
import type { Driver } from './driver';

export type Key = number & { readonly __delayQueueKey: unique symbol };
export interface Expired<T> { key: Key; value: T; deadline: number }

export class DelayQueue<T> {
  constructor(_opts?: { driver?: Driver }) { throw new Error('not implemented yet'); }
}
