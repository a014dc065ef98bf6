import { availableParallelism } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * e2e parts that change what every other file on a shared stack sees run one at a time, in one file
 * (tests/e2e/serial.test.ts, whose header says which and why) on a stack of their own, beside the rest.
 */
const serialE2eFile = 'tests/e2e/serial.test.ts';

/**
 * The order in which the workers take the projects' files: the longest chains first, so that the short files fill
 * the end of the run rather than leave one long file running alone. The serial file (one file, ~60 s of parts one
 * after the other) first; then the e2e files (several start a stack of their own or wait on labels); then the unit
 * files, the CDK files (tests/infra/: synth, bundling and the guard check, ~30 CPU-s) first among them. vitest's own
 * order (the same projects' files side by side, but projects by name: e2e, e2e-serial, unit) started the serial file
 * after 100 s and the guard check after 200 s of a 250 s run.
 *
 * Each project's files come in one stretch, so that the workers switch projects as seldom as the run allows: vitest
 * keeps a worker that ran a file for the next one only when that is of the same project
 * (node_modules/vitest/dist/chunks/cli-api*.js, `isEqualRunner`); otherwise it stops the worker and starts another,
 * which imports what the next files need again (the vitest runtime, the AWS SDK, aws-cdk-lib: seconds of CPU each).
 */
const projectOrder = ['e2e-serial', 'e2e', 'unit'];

/**
 * Within the e2e project, the files that start a stack of their own and then wait on labels, backoffs or a
 * browser for a minute or more go first. vitest would order them by its results cache (absent on a fresh clone)
 * or else by file size, which put the Rekognition-faults part (~60 s, now in tests/e2e/isolated.test.ts) past the
 * middle of the run.
 */
const longE2eFiles = ['tests/e2e/isolated.test.ts', 'tests/e2e/burst.test.ts', 'tests/e2e/recovery.test.ts'];

/** Within the unit project, the CDK files go first: the guard check is its longest chain (~15 s). */
const cdkFiles = 'tests/infra/';

/** vitest's order within each project (longest last time first, or larger files first), projects in projectOrder. */
class LongestChainsFirst extends BaseSequencer {
  public override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = projectOrder.indexOf(file.project.name);
      const projectRank = index === -1 ? projectOrder.length : index;
      // Relative to the project root: a checkout under a folder named `tests/infra/` puts no other file first.
      const relative = path.relative(file.project.config.root, file.moduleId).replaceAll('\\', '/');
      const first = longE2eFiles.includes(relative) || relative.startsWith(cdkFiles);
      return projectRank * 2 + (first ? 0 : 1);
    };
    // Array.prototype.sort is stable: each project's files keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/** Generous for 2 shared cores; the few slower tests (bundled synth, model loads) set their own. */
const unitSettings = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Shared by both e2e projects: tests/support/local-stack-setup.ts starts the stack each drives and returns
 * without waiting for it, so the unit and CDK files start at once; tests/support/e2e-stack-ready.ts makes each
 * e2e file wait for its project's stack (and fail with the stack's own error if it did not start).
 */
const e2eSettings = {
  globalSetup: ['tests/support/local-stack-setup.ts'],
  setupFiles: ['tests/support/e2e-stack-ready.ts'],
  testTimeout: 90_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // vitest's default is one worker less than the cores: a single worker on 2 cores, so every file
    // ran after the other. Much of the suite waits (on the stack's processes, on sockets, on model
    // loads in worker threads): with one worker more than the cores, the three e2e files of a minute
    // and more (serial, isolated, burst) held every worker while the cores were idle for ~50 core-seconds
    // (a /proc/stat sampler); with two more, the run keeps both cores busy throughout, though the workers then
    // spend ~10-20 CPU-s more (a fourth one imports the unit files' modules again: 122 and 132 CPU-s in the workers
    // against 113 with three, full runs on a shared machine, /proc sampler). `npm test` on quiet clean clones of
    // the same code: 206 and 199 s with two more, 219 s with one more (`--maxWorkers=3`), 211 s with three more.
    // `--maxWorkers` on the command line overrides it.
    maxWorkers: availableParallelism() + 2,
    sequence: { sequencer: LongestChainsFirst },
    // Keeps the transformed test and source modules on disk between runs (node_modules/.experimental-vitest-cache),
    // keyed by each file's content, id and the config: a run transforms only what changed. vitest's main process
    // spent ~10 CPU-s of the unit project's ~145 transforming (`--project unit`, /proc sampler), ~5 with the cache.
    // No plugin of ours transforms code, but the tsconfig.json options esbuild reads (target, useDefineForClassFields,
    // experimentalDecorators, …) change what a file becomes and are not in the key: after changing them, run
    // `npx vitest --clearCache` or the cached output of the old options is used. Default in vitest 5.
    experimental: { fsModuleCache: true },
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
          ...unitSettings,
          // A worker's files share one module graph rather than each importing the AWS SDK, tsx-transformed
          // sources and the rest again in a fresh process: the unit project took 164 s of CPU this way against
          // about 250 s isolated (`/usr/bin/time -v npx vitest run --project unit`, both with the bundled CLI). The files start what they use
          // (servers on port 0, temp dirs) and stop it in afterAll; none mocks modules. The CDK files (tests/infra/)
          // share tests/infra/synth.ts's synthesis of each stage this way too (seconds each): they read templates and
          // constructs and never change them or the process. They were a project of their own (unit-infra), whose
          // switch to and from the unit files cost each worker a fresh process.
          isolate: false,
        },
      },
      {
        // Drives the real offline stack (`npm start`'s code in a child process) like a user would. These
        // files touch only what they create (their own images, users, tickets), so they run side by side
        // with each other and with the unit files.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          exclude: [serialE2eFile],
          ...e2eSettings,
          // A worker's files share one module graph (aws-amplify, the SDK): the files that start a stack of their
          // own point Amplify at it, and tests/support/amplify-client.ts points it back at the shared stack for
          // every client it makes.
          isolate: false,
        },
      },
      {
        // Its own stack (tests/support/local-stack-setup.ts), its parts one after the other in one worker, beside the
        // other projects' files: the file is most of its time waiting for labels and pushes, which the others fill.
        test: {
          name: 'e2e-serial',
          include: [serialE2eFile],
          ...e2eSettings,
          isolate: false,
        },
      },
    ],
  },
});
