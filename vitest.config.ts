import { resolve } from 'node:path';
import { wasm } from '@rollup/plugin-wasm';
import { defineConfig } from 'vitest/config';

const core = resolve(import.meta.dirname, 'build/tickwheel.wasm');

export default defineConfig({
  plugins: [
    // The same inlining as the published bundle: sync compile, no fetch, no fs.
    { ...wasm({ sync: [core], targetEnv: 'auto-inline', maxFileSize: 1 << 20 }), enforce: 'pre' },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/runtimes/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
