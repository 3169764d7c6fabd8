// berthd as one file (plus the build worker and the chunks loaded on first use): one module instead of
// ~250 keeps the idle daemon ~9 MiB smaller (measured; decisions.md). Packages stay external.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: { main: 'dist/src/daemon/main.js', 'fs-worker': 'dist/src/build/builder/fs-worker.js' },
  platform: 'node',
  external: [/^[^./]/],
  // a loaded machine makes slow hooks; not a build problem
  checks: { bundlerTimings: false },
  // no cleanDir: a daemon started before a rebuild still finds the hashed chunks it loads on first use
  output: { dir: 'dist/berthd', format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
});
