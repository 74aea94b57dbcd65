import { defineConfig } from 'vitest/config';

// The same suite runs on both engines: the embedded PGlite and a real Postgres.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'pglite', env: { TEST_ENGINE: 'pglite' }, globalSetup: ['test/helpers/global-setup.ts'] },
      },
      {
        extends: true,
        test: { name: 'postgres', env: { TEST_ENGINE: 'postgres' }, globalSetup: ['test/helpers/global-setup.ts'] },
      },
    ],
  },
});
