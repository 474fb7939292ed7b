// Builds the renderer (renderer/ -> dist/renderer) for both shells: Electron loads it from disk, the web host serves
// it over http. `base: './'` keeps every asset path relative so the same files work from file:// and from a server.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Electron 45 and current Chromium: no need to down-level modern syntax.
    target: 'es2022',
  },
});
