import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    sqlite: 'src/sqlite.ts',
    postgres: 'src/postgres.ts',
    mysql: 'src/mysql.ts',
    http: 'src/http.ts',
    redis: 'src/redis.ts',
    files: 'src/files.ts',
    mongodb: 'src/mongodb.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  shims: true,
  treeshake: true,
  // Drivers are optional peer dependencies: never bundle them.
  external: [
    'better-sqlite3',
    'pg',
    'pg-cursor',
    'mysql2',
    'ioredis',
    'redis',
    '@e965/xlsx',
    'mongodb',
    '@opentelemetry/api',
  ],
})
