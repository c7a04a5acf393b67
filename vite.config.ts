import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console is built into dist/client and served by express; `npm run dev` runs Vite with a proxy to the server.
export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: '../dist/client', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:8080',
      '/healthz': 'http://localhost:8080',
      '/socket.io': { target: 'http://localhost:8080', ws: true },
    },
  },
});
