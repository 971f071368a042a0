import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain .mjs build helper without types
import { inlineWasm } from './scripts/inline-wasm.mjs';

export default defineConfig({
  // The same inlining as the published bundle: the core's bytes in a string, compiled
  // synchronously on first use.
  plugins: [inlineWasm()],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/runtimes/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
