import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dashboard is served by `vouch serve` at / with the API at /api/v1 (same origin). `npm run dev`
// proxies the API to a local server: VOUCH_SERVER=http://127.0.0.1:8080 npm run dev.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': process.env['VOUCH_SERVER'] ?? 'http://127.0.0.1:8080' } },
});
