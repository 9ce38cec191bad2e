/**
 * Builds the dashboard page (src/web) into dist/public, which the server serves: `vite build src/web`.
 * Everything is bundled (vega, vega-lite, vega-embed, the task universe): the page works offline.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  // The playground's training worker is inlined (a blob URL) and one classic script, as in its static build.
  worker: { format: 'iife' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/public', import.meta.url)),
    emptyOutDir: true,
    // Vega is most of the page; one chunk of ~1.5 MB, served from this machine, is fine.
    chunkSizeWarningLimit: 3000,
  },
});
