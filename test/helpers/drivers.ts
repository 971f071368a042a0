// Shared by the Tokio-API test files: paused drivers that are shut down after each test,
// and a macrotask boundary (every pending microtask has run when it resolves).
import { afterEach, expect } from 'vitest';
import { Driver } from '../../src/index';

export const macrotask = () => new Promise<void>((r) => setImmediate(r));

const drivers: Driver[] = [];

/** Shuts `d` down after the current test. */
export function track(d: Driver): Driver {
  drivers.push(d);
  return d;
}

/** A paused driver (clock at exactly 0), shut down after the current test. */
export function paused(opts: { autoAdvance?: boolean } = {}): Driver {
  return track(new Driver({ paused: true, ...opts }));
}

afterEach(() => {
  for (const d of drivers.splice(0)) d.shutdown();
});

/** Runs `body` and fails if any promise rejection went unhandled meanwhile (guarantee 10). */
export async function noUnhandledRejections(body: () => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const on = (e: unknown) => { seen.push(e); };
  process.on('unhandledRejection', on);
  try {
    await body();
  } finally {
    process.off('unhandledRejection', on);
  }
  expect(seen).toEqual([]);
}
