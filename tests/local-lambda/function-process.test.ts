/**
 * A local function process runs its handler's bundle (local/lambda/
 * function-bundle.ts), built as `cdk deploy` builds it, with plain node: no
 * TypeScript loader in the process; native modules come from node_modules;
 * a handler that cannot be bundled fails each invocation as Lambda fails a
 * handler it cannot import.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { checkoutCacheDir } from '../../api/cached-bundle.js';
import { bundleFunctions, type FunctionBundles } from '../../local/lambda/function-bundle.ts';
import { FunctionProcess } from '../../local/lambda/function-process.ts';
import { maxSyncResponseBytes } from '../../local/lambda/response-payload.ts';
import { memoryIsWatched } from '../../local/lambda/memory-limit.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-function-process-'));
const opened: FunctionProcess[] = [];
afterAll(async () => {
  await Promise.all(opened.map((process) => process.close()));
  rmSync(workDir, { recursive: true, force: true });
});

/** The handlers the tests run, by name: each bundle is built once for all the processes that run it. */
const fixtures = {
  native: fileURLToPath(new URL('./fixtures/native-module-handler.ts', import.meta.url)),
  sleeping: fileURLToPath(new URL('./fixtures/sleeping-handler.ts', import.meta.url)),
  hungry: fileURLToPath(new URL('./fixtures/memory-hungry-handler.ts', import.meta.url)),
  answering: fileURLToPath(new URL('./fixtures/answering-handler.ts', import.meta.url)),
} as const;

/**
 * One esbuild run for all the fixtures, as the stack builds all its functions in one (local/lambda/runtime.ts), rather than one
 * a test: each build is a node process and an esbuild service (about half a second of CPU). Started on first use, and
 * kept between runs in a cache of its own (these entries are not the stack's, whose cached build stays as it is),
 * which builds again when a fixture, the host or what they import changed, as the stack's does.
 */
let fixtureBundles: Promise<FunctionBundles> | undefined;
const sharedBundles = () =>
  (fixtureBundles ??= bundleFunctions({
    entries: fixtures,
    outDir: path.join(workDir, 'fixtures'),
    nativeModules: ['sharp'],
    cacheDir: checkoutCacheDir(repoRoot, 'function-process-test'),
  }));

/** A process named `name` for `handler`: a fixture's bundle, or the bundles of `entry` built into a directory of their own. */
function processFor(
  name: string,
  handler: keyof typeof fixtures | { readonly entry: string },
  settings: {
    readonly timeoutMs?: number;
    readonly isolateInvocations?: boolean;
    readonly maxProcesses?: number;
    readonly memoryMb?: number;
    readonly memorySampleIntervalMs?: number;
  } = {},
): FunctionProcess {
  const bundles =
    typeof handler === 'string'
      ? sharedBundles().then(({ host, handlers }) => ({ host, handler: handlers[handler] }))
      : bundleFunctions({ entries: { [name]: handler.entry }, outDir: path.join(workDir, name), cacheDir: path.join(workDir, `cache-${name}`) }).then(
          ({ host, handlers }) => ({ host, handler: handlers[name] }),
        );
  // Not left unhandled before the first invoke asks for it: a failed build fails each invocation.
  bundles.catch(() => undefined);
  const process_ = new FunctionProcess({
    name,
    code: () => bundles,
    // As every function is configured (api/function-environment.ts): its NODE_OPTIONS ask for source maps.
    environment: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--enable-source-maps' },
    timeoutMs: settings.timeoutMs ?? 60_000,
    logFile: path.join(workDir, `${name}.log`),
    isolateInvocations: settings.isolateInvocations ?? false,
    ...(settings.maxProcesses === undefined ? {} : { maxProcesses: settings.maxProcesses }),
    ...(settings.memoryMb === undefined ? {} : { memoryMb: settings.memoryMb }),
    ...(settings.memorySampleIntervalMs === undefined ? {} : { memorySampleIntervalMs: settings.memorySampleIntervalMs }),
  });
  opened.push(process_);
  return process_;
}

/** The pid a handler wrote to `file` once running (fixtures/sleeping-handler.ts). */
async function runningPid(file: string): Promise<number> {
  while (!existsSync(file) || readFileSync(file, 'utf8') === '') await new Promise((resolve) => setTimeout(resolve, 20));
  return Number(readFileSync(file, 'utf8'));
}

describe('Class: FunctionProcess', () => {
  it('runs the bundle of a handler that uses a native module, with plain node', async () => {
    // Prepare
    const function_ = processFor('native', 'native');

    // Act
    const result = (await function_.invoke({ width: 123 })) as { width: number; moduleUrl: string; execArgv: string[] };

    // Assess: sharp worked, the code came from the bundle, and no TypeScript loader was in the process
    expect(result.width).toBe(123);
    expect(result.moduleUrl).toBe(`file://${path.join(workDir, 'fixtures', 'native.mjs')}`);
    expect(result.execArgv.join(' ')).not.toMatch(/tsx/);
  });

  it("sizes V8's heap from the function's memory and passes the other flags of Lambda's Node.js bootstrap, and tells the handler that memory", async () => {
    // Prepare
    const function_ = processFor('sized', 'native', { memoryMb: 256 });

    // Act
    const result = (await function_.invoke({ width: 1 })) as { heapLimitMb: number; memoryLimitInMB: string; gcExposed: boolean; maxHeaderSize: number };

    // Assess: old generation 256 - 25 MB, young 2 × 12 MB; V8 adds its own reserve to the limit it reports, and without
    // the flags the limit derives from the host's RAM (gigabytes here)
    expect(result.heapLimitMb).toBeGreaterThanOrEqual(256 - 25);
    expect(result.heapLimitMb).toBeLessThanOrEqual(256 * 1.25);
    expect(result.memoryLimitInMB).toBe('256');
    // --expose-gc and --max-http-header-size 81920 (node's default is 16 KiB)
    expect(result.gcExposed).toBe(true);
    expect(result.maxHeaderSize).toBe(81920);
  });

  it("hands the invoker the handler's result as JSON, as Lambda's runtime posts it, and refuses one that JSON cannot hold", async () => {
    // Prepare
    const function_ = processFor('answering', 'answering');

    // Act
    const date = await function_.invoke({ answer: 'date' });
    const map = await function_.invoke({ answer: 'map' });
    const nothing = await function_.invoke({ answer: 'undefined' });
    const aFunction = await function_.invoke({ answer: 'function' }, { responseLimitBytes: maxSyncResponseBytes });
    const bigint = await function_.invoke({ answer: 'bigint' }).catch((error: unknown) => error);

    // Assess: a Date as its ISO text, undefined members dropped, a Map as {}, undefined and a function as null
    expect(date).toEqual({ at: '2026-12-01T00:00:00.000Z' });
    expect(map).toEqual({});
    expect(nothing).toBeNull();
    expect(aFunction).toBeNull();
    expect(bigint).toMatchObject({ errorType: 'Error', message: 'Unable to stringify response body' });
  });

  it("refuses a synchronous invoke's answer over 6,291,556 bytes with Lambda's Function.ResponseSizeTooLarge, and takes one at the limit, or any when no limit is set (an asynchronous invoke)", async () => {
    // Prepare: a JSON string's text is its characters and two quotes
    const function_ = processFor('large-answer', 'answering');
    const limit = { responseLimitBytes: maxSyncResponseBytes };

    // Act
    const over = await function_.invoke({ answer: 'bytes', bytes: maxSyncResponseBytes - 1 }, limit).catch((error: unknown) => error);
    const atLimit = (await function_.invoke({ answer: 'bytes', bytes: maxSyncResponseBytes - 2 }, limit)) as string;
    const unlimited = (await function_.invoke({ answer: 'bytes', bytes: maxSyncResponseBytes + 10 })) as string;

    // Assess
    expect(over).toMatchObject({
      errorType: 'Function.ResponseSizeTooLarge',
      message: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
    expect(atLimit).toHaveLength(maxSyncResponseBytes - 2);
    expect(unlimited).toHaveLength(maxSyncResponseBytes + 10);
  });

  it('fails each invocation of a handler that cannot be bundled with Runtime.ImportModuleError, naming the file', async () => {
    // Prepare
    const entry = path.join(workDir, 'broken-handler.ts');
    writeFileSync(entry, 'export const handler = async () => { return ; ; }}\n');
    const function_ = processFor('broken', { entry });

    // Act
    const failures = await Promise.all([function_.invoke({}), function_.invoke({})].map((run) => run.then(() => undefined, (error: unknown) => error)));

    // Assess
    for (const failure of failures) {
      expect(failure).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
      expect((failure as Error).message).toMatch(/could not bundle the functions: .*broken-handler\.ts/s);
    }
  });

  it("reports a handler's error with a stack trace naming its TypeScript source, as --enable-source-maps maps it on Lambda", async () => {
    // Prepare
    const function_ = processFor('refusing', 'sleeping');

    // Act
    const failure = await function_.invoke({ name: 'refused', refuse: true }).then(() => undefined, (error: unknown) => error);

    // Assess: the frames are the source's (the map holds no source text, only mappings and names), not the bundle's
    expect(failure).toMatchObject({ errorType: 'SleepRefused', message: 'this sleep is refused' });
    const trace = (failure as { trace: readonly string[] }).trace.join('\n');
    expect(trace).toMatch(/fixtures\/sleeping-handler\.ts:\d+:\d+/);
    expect(trace).not.toMatch(/sleeping\.mjs/);
  });

  it('with isolateInvocations, ends only the invocation that timed out, as each Lambda environment runs one invocation', async () => {
    // Prepare: an invocation that outlives the timeout, and a neighbour started once it is known to be running, which
    // runs until the slow one's process is gone (in the same process, it dies with it)
    const function_ = processFor('isolated', 'sleeping', { timeoutMs: 6_000, isolateInvocations: true });
    await function_.invoke({ name: 'warm-up', runMs: 0 });
    const startedFile = path.join(workDir, 'slow-started');

    // Act: the slow one says it runs 2 s in, which leaves the neighbour that much of its own timeout after the kill
    const timedOut = function_.invoke({ name: 'slow', runMs: 60_000, startedFile, signalAfterMs: 2_000 }).then(() => undefined, (error: unknown) => error);
    const slowPid = await runningPid(startedFile);
    const neighbour = function_.invoke({ name: 'neighbour', untilGone: slowPid }).then((result) => result, (error: unknown) => error);
    const [failure, answer] = await Promise.all([timedOut, neighbour]);
    const next = (await function_.invoke({ name: 'next', runMs: 0 })) as { pid: number };

    // Assess: the slow one timed out; its neighbour, in a process of its own, answered; that process is reused
    expect(failure).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(answer).toMatchObject({ name: 'neighbour' });
    expect(next.pid).toBe((answer as { pid: number }).pid);
  }, 30_000);

  it('with isolateInvocations, starts no more processes than maxProcesses: past it, invocations share the least busy', async () => {
    // Prepare
    const function_ = processFor('capped', 'sleeping', { isolateInvocations: true, maxProcesses: 2 });

    // Act: five at once, as five concurrent Invoke calls
    const burst = (await Promise.all([1, 2, 3, 4, 5].map((n) => function_.invoke({ name: `burst-${n}`, runMs: 300 })))) as { pid: number }[];
    const after = (await Promise.all([1, 2].map((n) => function_.invoke({ name: `after-${n}`, runMs: 300 })))) as { pid: number }[];

    // Assess: two processes ran the burst, and the same two, kept warm, ran what came after
    const burstPids = new Set(burst.map((result) => result.pid));
    expect(burstPids.size).toBe(2);
    for (const result of after) expect(burstPids).toContain(result.pid);
  }, 30_000);

  it('fails the invocations of a process whose IPC channel closed, and keeps running: a send() on it is no crash', async () => {
    // Prepare: a shared process that closes its channel and stays alive
    const function_ = processFor('disconnected', 'sleeping', { timeoutMs: 20_000 });
    const startedFile = path.join(workDir, 'disconnected-started');
    const closing = function_.invoke({ name: 'closing', runMs: 60_000, disconnect: true, startedFile }).then(() => undefined, (error: unknown) => error);
    await runningPid(startedFile);

    // Act: the next invocation is sent on the closed channel
    const next = await function_.invoke({ name: 'next', runMs: 0 }).then(() => undefined, (error: unknown) => error);

    // Assess: both failed as the runtime's exit does, and a new process answers the one after
    expect(next).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(await closing).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(await function_.invoke({ name: 'after', runMs: 0 })).toMatchObject({ name: 'after' });
  }, 30_000);

  // Only where /proc tells a process's memory (Linux): elsewhere nothing is watched (memory-limit.ts).
  describe.runIf(memoryIsWatched)('past its memory', () => {
    /** Lambda's answer for an environment it killed for its memory (local/lambda/memory-limit.ts). */
    const outOfMemory = { errorType: 'Runtime.OutOfMemory', message: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$/) };

    it('fails an invocation whose native memory outgrew the function memory, as Lambda kills its environment, and runs the next in a fresh process', async () => {
      // Prepare: a 128 MB function, warm, sampled only as each invocation answers (no sample in an hour): a run that
      // outgrows it between two samples is caught all the same
      const function_ = processFor('outgrown', 'hungry', { memoryMb: 128, memorySampleIntervalMs: 3_600_000 });
      const warm = (await function_.invoke({ name: 'warm', allocateMb: 0 })) as { pid: number };

      // Act: 200 MiB of Buffers, outside the V8 heap its flags bound, then an answer at once
      const failure = await function_.invoke({ name: 'hungry', allocateMb: 200 }).then(() => undefined, (error: unknown) => error);
      const next = (await function_.invoke({ name: 'next', allocateMb: 0 })) as { pid: number };

      // Assess: Lambda's error, its REPORT line in the function's log, and a new process for the next invocation
      expect(failure).toMatchObject(outOfMemory);
      const requestId = /RequestId: (\S+)/.exec((failure as Error).message)?.[1];
      const report = readFileSync(path.join(workDir, 'outgrown.log'), 'utf8')
        .split('\n')
        .find((line) => line.startsWith(`REPORT RequestId: ${requestId}\t`));
      expect(report).toMatch(/\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime\.OutOfMemory$/);
      // As Lambda reports it: never more than the memory the environment had.
      expect(report).toContain('\tMax Memory Used: 128 MB\t');
      expect(next.pid).not.toBe(warm.pid);
    }, 30_000);

    it('kills a process that holds more than the function memory while its invocation still runs', async () => {
      // Prepare
      const function_ = processFor('holding', 'hungry', { memoryMb: 128, timeoutMs: 20_000 });

      // Act: the memory is kept and the handler never answers, so only a sample taken while it runs can see it
      const failure = await function_.invoke({ name: 'holding', allocateMb: 200, hold: true }).then(() => undefined, (error: unknown) => error);

      // Assess: killed for its memory, not left to time out
      expect(failure).toMatchObject(outOfMemory);
      expect(await function_.invoke({ name: 'after', allocateMb: 0 })).toMatchObject({ name: 'after' });
    }, 30_000);

    it('leaves a function that stays within its memory alone, in the same process', async () => {
      // Prepare
      const function_ = processFor('within', 'hungry', { memoryMb: 256 });

      // Act: 64 MiB of Buffers in a 256 MB function, twice
      const first = (await function_.invoke({ name: 'first', allocateMb: 64 })) as { pid: number; allocatedMb: number };
      const second = (await function_.invoke({ name: 'second', allocateMb: 64 })) as { pid: number; allocatedMb: number };

      // Assess
      expect(first.allocatedMb).toBe(64);
      expect(second.pid).toBe(first.pid);
    }, 30_000);
  });
});
