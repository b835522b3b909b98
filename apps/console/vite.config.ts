/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where the API listens in development; `/graphql` (HTTP and WebSocket) is proxied there. */
const API_ORIGIN = process.env.QUNFA_API_ORIGIN ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/graphql': { target: API_ORIGIN, ws: true, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/graphql': { target: API_ORIGIN, ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    // Run beside the API's suite by `pnpm test`: a test of seconds alone can pass 5 s there.
    testTimeout: 60_000,
  },
});
