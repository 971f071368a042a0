// Sleep — TODO(issue 3): implemented by the sleep/timeout/interval work.
import type { Driver } from './driver';

export interface SleepOptions { signal?: AbortSignal; ref?: boolean }

export class Sleep implements PromiseLike<void> {
  deadline = 0;
  isElapsed = false;
  then<A = void, B = never>(_f?: ((v: void) => A | PromiseLike<A>) | null, _r?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    throw new Error('not implemented yet');
  }
  reset(_deadline: number): void { throw new Error('not implemented yet'); }
  cancel(): void { throw new Error('not implemented yet'); }
  [Symbol.dispose](): void { this.cancel(); }
}

export function makeSleep(_d: Driver, _ms: number, _opts?: SleepOptions): Sleep { throw new Error('not implemented yet'); }
export function makeSleepUntil(_d: Driver, _deadline: number, _opts?: SleepOptions): Sleep { throw new Error('not implemented yet'); }
