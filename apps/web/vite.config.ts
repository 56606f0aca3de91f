import { defineConfig } from 'vite';
import { initialJsBudget } from './build/initial-js-budget.js';

// Static files for the API to serve at /inbox: hashed names under /inbox/assets/ (served as
// immutable), workspace packages read from their TypeScript sources like the tests do.
export default defineConfig({
  base: '/inbox/',
  resolve: { conditions: ['@parley/source'] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Inlined assets would be data: URLs; the CSP allows them for images only, so keep files.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: { inbox: 'index.html', embed: 'src/embed/parley-inbox-element.tsx' },
      output: {
        // The custom element keeps one name that host pages can load (served no-cache); every
        // other file is named by its content (served immutable).
        entryFileNames: (chunk) =>
          chunk.name === 'embed' ? 'assets/parley-inbox.js' : 'assets/[name]-[hash].js',
      },
    },
  },
  // `vite` (development): the API of `pnpm start` answers /api, WebSockets included.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } } },
  plugins: [initialJsBudget({ limitBytes: 100 * 1024 })],
});
