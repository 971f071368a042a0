// timeout / timeoutAt — TODO(issue 3).
import type { Driver } from './driver';

export interface TimeoutOptions { signal?: AbortSignal }
export type Work<T> = PromiseLike<T> | (() => PromiseLike<T>);

export function makeTimeout<T>(_d: Driver, _ms: number, _work: Work<T>, _opts?: TimeoutOptions): Promise<T> { throw new Error('not implemented yet'); }
export function makeTimeoutAt<T>(_d: Driver, _deadline: number, _work: Work<T>, _opts?: TimeoutOptions): Promise<T> { throw new Error('not implemented yet'); }
