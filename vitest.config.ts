import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['packages/core/src/**/*.test.ts'] } },
      { test: { name: 'node', include: ['packages/node/src/**/*.test.ts'] } },
      {
        test: {
          name: 'tracker',
          include: ['packages/tracker/src/**/*.test.ts'],
          exclude: ['packages/tracker/src/**/*.ssr.test.ts'],
          environment: 'happy-dom',
          environmentOptions: { happyDOM: { url: 'https://www.example.test/' } },
        },
      },
      { test: { name: 'tracker-ssr', include: ['packages/tracker/src/**/*.ssr.test.ts'], environment: 'node' } },
      { test: { name: 'package', include: ['test/package/**/*.test.ts'] } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'contract', include: ['test/contract/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
    ],
  },
})
