import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// main/ and renderer/ live at the top level, not under src/: every entry is named here.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The CLI is bundled too, for installs where Node cannot run the TypeScript sources.
      lib: { entry: { index: resolve('main/electron/main.ts'), cli: resolve('main/cli/main.ts') } }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed renderers load only CommonJS preloads.
      lib: { entry: resolve('main/electron/preload.ts'), formats: ['cjs'] },
      rollupOptions: { output: { entryFileNames: 'index.cjs' } }
    }
  },
  renderer: {
    root: 'renderer',
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('renderer/index.html') }
    },
    plugins: [svelte({ configFile: resolve('svelte.config.js') })]
  }
});
