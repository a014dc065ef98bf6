import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // `npm run test:coverage`: the code the tests run, not the tests themselves.
    coverage: {
      provider: 'v8',
      include: ['api/**/*.ts', 'functions/**/*.ts', 'infra/**/*.ts', 'local/**/*.ts', 'resolvers/**/*.ts', 'client-example/**/*.ts'],
      exclude: ['**/*.d.ts', 'client-example/web/**'],
      reporter: ['text-summary', 'text'],
      // The summary is wanted most when a test failed.
      reportOnFailure: true,
    },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'node_modules/**'],
          // Generous for 2 shared cores; the few slower tests (bundled synth, model loads) set their own.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Drives the real offline stack (`npm start`'s code in a child process) like a user would.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/local-stack-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
