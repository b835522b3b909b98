import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // `pnpm test` runs these beside the API's suite (three files at a time on two cores): a test
    // of 2–5 s alone took past Vitest's default 5 s there. A hang still fails, after a minute.
    testTimeout: 60_000,
    // Files share a worker's modules instead of each importing the package afresh (alternating
    // runs alone, load 9–16): core's suite took 34–42 CPU s isolated, 9–13 shared; channels' 78–100
    // and 20–30; plugins' 27–33 and 6–9. No test mocks a module or stubs a global; each makes its
    // own fakes and state.
    isolate: false,
  },
});
