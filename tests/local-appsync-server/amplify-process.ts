/** Test side of amplify-driver.ts: spawns it with the local CA trusted and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { checkoutCacheDir, freshBundle } from '../../api/cached-bundle.js';

export interface DriverEvent {
  readonly event: 'next' | 'error';
  readonly name: string;
  readonly value?: unknown;
  readonly error?: unknown;
}

export interface AmplifyProcess {
  call(op: string, args?: Record<string, unknown>): Promise<{ ok: boolean; result?: unknown; error?: unknown }>;
  /** Resolves with the next event for a subscription, or undefined after `timeoutMs`. */
  nextEvent(name: string, timeoutMs: number): Promise<DriverEvent | undefined>;
  readonly events: DriverEvent[];
  readonly stderr: () => string;
  stop(): Promise<void>;
}

const driverPath = fileURLToPath(new URL('./amplify-driver.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How node runs the driver: its bundle (api/cached-bundle.js, aws-amplify included, as the CLI's), or its source
 * under tsx when no bundle can be built or kept. Under tsx each start spent ~3 CPU-s transforming and loading
 * aws-amplify's modules one by one; from the bundle, ~0.4.
 */
async function driverArgs(): Promise<string[]> {
  const bundle = await freshBundle({
    repoRoot,
    entry: 'tests/local-appsync-server/amplify-driver.ts',
    cacheDir: checkoutCacheDir(repoRoot, 'amplify-driver'),
    bundleName: 'amplify-driver.mjs',
  });
  return bundle ? [bundle] : ['--import', 'tsx', driverPath];
}

export async function startAmplifyProcess(caPath: string): Promise<AmplifyProcess> {
  const child: ChildProcess = spawn(process.execPath, await driverArgs(), {
    cwd: repoRoot,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pending = new Map<number, (message: { ok: boolean; result?: unknown; error?: unknown }) => void>();
  const events: DriverEvent[] = [];
  const consumed = new Map<string, number>();
  const eventWaiters: (() => void)[] = [];
  let seq = 0;

  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // amplify's own console output
    }
    if (typeof message.seq === 'number') {
      pending.get(message.seq)?.(message as { ok: boolean });
      pending.delete(message.seq);
    } else if (message.event) {
      events.push(message as unknown as DriverEvent);
      for (const wake of eventWaiters.splice(0)) wake();
    }
  });

  return {
    events,
    stderr: () => stderr,
    call(op, args = {}) {
      seq += 1;
      const id = seq;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.stdin!.write(`${JSON.stringify({ seq: id, op, ...args })}\n`);
      });
    },
    async nextEvent(name, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = consumed.get(name) ?? 0;
        const mine = events.filter((event) => event.name === name);
        if (mine.length > seen) {
          consumed.set(name, seen + 1);
          return mine[seen];
        }
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          eventWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async stop() {
      child.stdin!.end();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
