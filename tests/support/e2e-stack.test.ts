/**
 * The e2e stacks' support code where it is pure logic: which ports a stack planned before it starts may take
 * (tests/support/e2e-stack.ts), and the setup's teardown (tests/support/local-stack-setup.ts), which must stop
 * every stack whatever became of the others' starts. The stacks themselves are the e2e files' business.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StartingStack } from '../../local/child-process-stack.ts';
import { basePortRange, E2eStackError, ephemeralLowPort, freeBasePort } from './e2e-stack.ts';
import { stopEvery } from './local-stack-setup.ts';

describe('Function: ephemeralLowPort', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-port-range-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the low end of the range as Linux writes it', () => {
    // Prepare
    const file = path.join(dir, 'ip_local_port_range');
    writeFileSync(file, '20000\t60999\n');

    // Act, Assess
    expect(ephemeralLowPort(file)).toBe(20_000);
    expect(basePortRange(ephemeralLowPort(file))).toEqual({ from: 10_000, to: 19_994 });
  });

  it("takes Linux's default when the range cannot be read", () => {
    expect(ephemeralLowPort(path.join(dir, 'absent'))).toBe(32_768);
    writeFileSync(path.join(dir, 'garbled'), 'not a port\n');
    expect(ephemeralLowPort(path.join(dir, 'garbled'))).toBe(32_768);
  });

  it('refuses a range that leaves no room below it', () => {
    expect(() => basePortRange(10_003)).toThrow(E2eStackError);
  });
});

describe('Function: freeBasePort', () => {
  const listening: Server[] = [];
  afterAll(async () => {
    await Promise.all(listening.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it("keeps off the planned stacks' ports and the ports in use, within the range", async () => {
    // Prepare: 13 bases from one whose ports are free; a planned stack rules out the next 11, a port in use the last 2
    const first = await freeBasePort([]);
    const range = { from: first, to: first + 13 };
    const inUse = createServer();
    listening.push(inUse);
    // In use either way: by this server, or already by another process.
    await new Promise<void>((resolve) => {
      inUse.once('error', () => resolve());
      inUse.listen(first + 14, '127.0.0.1', resolve);
    });

    // Act
    const bases = await Promise.all(Array.from({ length: 20 }, () => freeBasePort([first + 6], range)));

    // Assess: only the base whose six ports are clear of both
    expect(new Set(bases)).toEqual(new Set([first]));
  });

  it('says so when the range has no room', async () => {
    await expect(freeBasePort([100], { from: 100, to: 106 })).rejects.toThrow(E2eStackError);
  });
});

describe('Function: stopEvery', () => {
  /** A stack as the setup holds it, which records its stop. */
  const fakeStack = (served: boolean, stops: string[], name: string) => {
    const ready = served ? Promise.resolve() : Promise.reject(new Error(`${name} did not start`));
    ready.catch(() => undefined);
    const stack = {
      stateDir: name,
      ready,
      stdout: () => '',
      stop: async () => {
        stops.push(name);
        return 0;
      },
    } as unknown as StartingStack;
    return Promise.resolve({ stack });
  };

  it('stops every stack whatever became of the others', async () => {
    // Prepare: one start threw before spawning, one stack never served, one serves
    const stops: string[] = [];
    const threw = Promise.reject(new Error('no free ports'));
    threw.catch(() => undefined);

    // Act
    await stopEvery([threw, fakeStack(false, stops, 'failed'), fakeStack(true, stops, 'served')]);

    // Assess
    expect(stops.sort()).toEqual(['failed', 'served']);
  });
});
