/**
 * Builds the playground alone into dist/web-playground/index.html: one file, script, styles and the training
 * worker inlined, so it opens from disk (Chromium refuses module scripts and worker files from file://) and from
 * any static host: `vite build -c src/web/vite.playground.config.ts`. When dist/wasm exists it is copied to
 * dist/web-playground/wasm/, where the page looks for the WebAssembly engine's files.
 */
import { cpSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const out = fileURLToPath(new URL('../../dist/web-playground', import.meta.url));
const wasm = fileURLToPath(new URL('../../dist/wasm', import.meta.url));

/** Puts the built script and styles into the HTML and names it index.html. */
function singleFile(): Plugin {
  return {
    name: 'continuum-single-file',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).find((f) => f.fileName.endsWith('.html'));
      if (!html || html.type !== 'asset') return;
      let text = String(html.source);
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type === 'chunk' && file.isEntry) {
          // A classic script: file:// pages may not load module scripts, and the bundle is one IIFE.
          // At the end of the body: an inline script cannot be deferred, and it needs #app.
          text = text.replace(new RegExp(`<script type="module" crossorigin src="[^"]*${file.fileName}"></script>`), '');
          text = text.replace('</body>', () => `<script>${file.code.replace(/<\/script/gi, '<\\/script')}</script>\n</body>`);
          delete bundle[name];
        } else if (file.type === 'asset' && file.fileName.endsWith('.css')) {
          text = text.replace(new RegExp(`<link rel="stylesheet" crossorigin href="[^"]*${file.fileName}">`), () => `<style>${String(file.source)}</style>`);
          delete bundle[name];
        }
      }
      html.source = text;
      html.fileName = 'index.html';
    },
    closeBundle() {
      if (existsSync(wasm)) cpSync(wasm, `${out}/wasm`, { recursive: true });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  plugins: [singleFile()],
  worker: { format: 'iife' },
  build: {
    outDir: out,
    emptyOutDir: true,
    chunkSizeWarningLimit: 5000,
    modulePreload: false,
    rollupOptions: { input: fileURLToPath(new URL('./playground.html', import.meta.url)), output: { format: 'iife', inlineDynamicImports: true } },
  },
});
