import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * e2e files that change what every other file on the shared stack sees, so they run one at a time,
 * after everything else: stack-wide hooks (Rekognition faults, DynamoDB throttling, the reconciler
 * failing every stale PENDING image, Rekognition's call counters), exact views of the API-key
 * callers' shared space (catalog counts, "newest first" at the top of the library), and the fuzzer,
 * which holds hundreds of sockets on every port (files running beside it in a full run on a loaded
 * machine failed waiting for labels and pushes; the fuzzer is the suspect, not proven).
 */
const serialE2eFiles = [
  'tests/e2e/fuzz.test.ts',
  'tests/e2e/faults.test.ts',
  'tests/e2e/dynamodb-throttling.test.ts',
  'tests/e2e/reconciler.test.ts',
  'tests/e2e/dedupe.test.ts',
  'tests/e2e/search.test.ts',
  'tests/e2e/delete.test.ts',
  'tests/e2e/gallery.test.ts',
  // Its API-key watcher expects exactly the one API-key upload it made.
  'tests/e2e/owner.test.ts',
];

/** Generous for 2 shared cores; the few slower tests (bundled synth, model loads) set their own. */
const unitSettings = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/** Shared by both e2e projects: tests/support/local-stack-setup.ts starts the one stack they drive. */
const e2eSettings = {
  globalSetup: ['tests/support/local-stack-setup.ts'],
  testTimeout: 90_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // vitest's default is one worker less than the cores: a single worker on 2 cores, so every file
    // ran after the other. Much of the suite waits (on the stack's processes, on sockets, on model
    // loads in worker threads), so one worker more than the cores keeps both cores busy.
    // `--maxWorkers` on the command line overrides it.
    maxWorkers: availableParallelism() + 1,
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
          exclude: ['tests/e2e/**', 'tests/infra/**', 'node_modules/**'],
          ...unitSettings,
          // A worker's files share one module graph rather than each importing the AWS SDK, tsx-transformed
          // sources and the rest again in a fresh process: the unit project took 164 s of CPU this way against
          // about 250 s isolated (`/usr/bin/time -v npx vitest run --project unit`, both with the bundled CLI). The files start what they use
          // (servers on port 0, temp dirs) and stop it in afterAll; none mocks modules.
          isolate: false,
        },
      },
      {
        // The CDK tests, without isolation between files: a worker's files share one module graph, so
        // tests/infra/synth.ts synthesizes each stage once for all of them rather than once a file
        // (seconds each). They read templates and never change them or the process.
        test: {
          name: 'unit-infra',
          include: ['tests/infra/**/*.test.ts'],
          isolate: false,
          ...unitSettings,
        },
      },
      {
        // Drives the real offline stack (`npm start`'s code in a child process) like a user would. These
        // files touch only what they create (their own images, users, tickets), so they run side by side
        // with each other and with the unit files.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          exclude: serialE2eFiles,
          ...e2eSettings,
          // A worker's files share one module graph (aws-amplify, the SDK): the files that start a stack of their
          // own point Amplify at it, and tests/support/amplify-client.ts points it back at the shared stack for
          // every client it makes.
          isolate: false,
        },
      },
      {
        // The same stack, one file at a time, after the parallel files.
        test: {
          name: 'e2e-serial',
          include: serialE2eFiles,
          ...e2eSettings,
          fileParallelism: false,
          // After every other project's files (vitest runs group 0, then group 1); vitest also refuses a project of
          // one worker in the parallel e2e project's group once neither isolates its files.
          sequence: { groupOrder: 1 },
          // One after the other on the shared stack, so nothing gains from a fresh process per file; sharing the
          // module graph saves each file importing aws-amplify and the SDK again, on the run's serial tail.
          isolate: false,
        },
      },
    ],
  },
});
