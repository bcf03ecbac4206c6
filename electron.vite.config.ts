import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// One build produces every runtime piece: the Electron main process, the sandboxed preload,
// the renderer, and the CLI (which shares the main build's Node target but never loads electron).
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/cli/index.ts'),
          'index-worker': resolve('src/core/reader/index-worker.ts'),
          'search-worker': resolve('src/core/query/search-worker.ts'),
          'analysis-worker': resolve('src/core/analysis/analysis-worker.ts'),
          'judge-process': resolve('src/core/judge/judge-process.ts'),
        },
        // Workers are found beside the code that starts them, so every main-build file shares
        // one folder.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require nothing but electron: anything it imports is bundled.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [svelte()],
  },
})
