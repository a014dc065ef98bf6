/**
 * `npm start` when one of its ports is taken: one line naming the port and LABELCAST_PORT, exit 1, no stack trace.
 * Runs local/main.ts as npm start does, with LABELCAST_PORT set so the first service it starts (DynamoDB, the base
 * port + 2) meets a port this test holds.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { configFromEnv } from '../../local/config.ts';
import { startedStateDir } from '../local-appsync-server/state-dir.ts';

const held = createServer();
const stateDirs: string[] = [];
afterAll(async () => {
  for (const stateDir of stateDirs) rmSync(stateDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => held.close(() => resolve()));
});

describe('npm start with a port in use', () => {
  // Starts the stack's process (its cached bundle, the state files, the gallery build check): up to a minute on 2 shared cores.
  it('exits 1 with one line naming the port and LABELCAST_PORT', { timeout: 120_000 }, async () => {
    // Prepare: hold a port, and point the stack's DynamoDB (base + 2) at it
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const { port } = held.address() as AddressInfo;
    // A state dir as a first start left it (TLS material, user pool), as a restart finds it: the clash does not depend
    // on it, and the worker makes the pool's RSA key once for every test that needs one (../local-appsync-server/state-dir.ts).
    const stateDir = await startedStateDir('labelcast-port-', configFromEnv({}).region);
    stateDirs.push(stateDir);
    // Act
    const child = spawn(process.execPath, ['local/start.js'], {
      cwd: repoRoot,
      env: { ...process.env, LABELCAST_STATE_DIR: stateDir, LABELCAST_PORT: String(port - 2), LABELCAST_OUTPUTS: path.join(stateDir, 'amplify_outputs.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    // Assess: the AWS SDK's Node-version notice aside, exactly our line
    const ours = stderr.split('\n').filter((line) => line.startsWith('labelcast'));
    expect(code).toBe(1);
    expect(ours).toEqual([
      `labelcast cannot start: port ${port} on 127.0.0.1 is in use (another npm start?): stop it, or set LABELCAST_PORT to another first port (now ${port - 2}; npm start uses it and the 5 after it)`,
    ]);
    expect(stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
  });
});
