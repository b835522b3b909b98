import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // `pnpm test` runs these beside the API's suite (three files at a time on two cores): a test
    // of 2–5 s alone took past Vitest's default 5 s there. A hang still fails, after a minute.
    testTimeout: 60_000,
  },
});
