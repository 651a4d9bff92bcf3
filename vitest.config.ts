import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/mongo/**'] },
      },
      {
        // mingo's date operators are right only when the process runs in UTC (docs/mongodb.md): the
        // MongoDB suites run with TZ=UTC whatever the machine's zone, and check that they do.
        extends: true,
        test: { name: 'mongo', include: ['test/mongo/**/*.test.ts'], env: { TZ: 'UTC' } },
      },
    ],
  },
})
