/**
 * A local function process runs its handler's bundle (local/lambda/
 * function-bundle.ts), built as `cdk deploy` builds it, with plain node: no
 * TypeScript loader in the process; native modules come from node_modules;
 * a handler that cannot be bundled fails each invocation as Lambda fails a
 * handler it cannot import.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunctions } from '../../local/lambda/function-bundle.ts';
import { FunctionProcess } from '../../local/lambda/function-process.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-function-process-'));
const opened: FunctionProcess[] = [];
afterAll(async () => {
  await Promise.all(opened.map((process) => process.close()));
  rmSync(workDir, { recursive: true, force: true });
});

/** A process for `entry`, bundled into its own directory. */
function processFor(
  name: string,
  entry: string,
  nativeModules: readonly string[] = [],
  settings: { readonly timeoutMs?: number; readonly isolateInvocations?: boolean } = {},
): FunctionProcess {
  const outDir = path.join(workDir, name);
  // A cache of its own: these entries are not the stack's, whose cached build stays as it is.
  const bundles = bundleFunctions({ entries: { [name]: entry }, outDir, nativeModules, cacheDir: path.join(workDir, 'cache') });
  const process_ = new FunctionProcess({
    name,
    code: async () => {
      const { host, handlers } = await bundles;
      return { host, handler: handlers[name] };
    },
    environment: { PATH: process.env.PATH ?? '' },
    timeoutMs: settings.timeoutMs ?? 60_000,
    logFile: path.join(workDir, `${name}.log`),
    isolateInvocations: settings.isolateInvocations ?? false,
  });
  opened.push(process_);
  return process_;
}

describe('Class: FunctionProcess', () => {
  it('runs the bundle of a handler that uses a native module, with plain node', async () => {
    // Prepare
    const entry = fileURLToPath(new URL('./fixtures/native-module-handler.ts', import.meta.url));
    const function_ = processFor('native', entry, ['sharp']);

    // Act
    const result = (await function_.invoke({ width: 123 })) as { width: number; moduleUrl: string; execArgv: string[] };

    // Assess: sharp worked, the code came from the bundle, and no TypeScript loader was in the process
    expect(result.width).toBe(123);
    expect(result.moduleUrl).toBe(`file://${path.join(workDir, 'native', 'native.mjs')}`);
    expect(result.execArgv.join(' ')).not.toMatch(/tsx/);
  });

  it('fails each invocation of a handler that cannot be bundled with Runtime.ImportModuleError, naming the file', async () => {
    // Prepare
    const entry = path.join(workDir, 'broken-handler.ts');
    writeFileSync(entry, 'export const handler = async () => { return ; ; }}\n');
    const function_ = processFor('broken', entry);

    // Act
    const failures = await Promise.all([function_.invoke({}), function_.invoke({})].map((run) => run.then(() => undefined, (error: unknown) => error)));

    // Assess
    for (const failure of failures) {
      expect(failure).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
      expect((failure as Error).message).toMatch(/could not bundle the functions: .*broken-handler\.ts/s);
    }
  });

  it('with isolateInvocations, ends only the invocation that timed out, as each Lambda environment runs one invocation', async () => {
    // Prepare: an invocation that outlives the timeout, and one started later that is still running when the first is killed
    const entry = fileURLToPath(new URL('./fixtures/sleeping-handler.ts', import.meta.url));
    const function_ = processFor('isolated', entry, [], { timeoutMs: 6_000, isolateInvocations: true });
    await function_.invoke({ name: 'warm-up', runMs: 0 });

    // Act
    const timedOut = function_.invoke({ name: 'slow', runMs: 60_000 }).then(() => undefined, (error: unknown) => error);
    const neighbour = new Promise((resolve) => setTimeout(resolve, 4_000)).then(() => function_.invoke({ name: 'neighbour', runMs: 3_000 }));
    const [failure, answer] = await Promise.all([timedOut, neighbour.then((result) => result, (error: unknown) => error)]);
    const next = (await function_.invoke({ name: 'next', runMs: 0 })) as { pid: number };

    // Assess: the slow one timed out; its neighbour, in a process of its own, answered; that process is reused
    expect(failure).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(answer).toMatchObject({ name: 'neighbour' });
    expect(next.pid).toBe((answer as { pid: number }).pid);
  }, 30_000);
});
