/**
 * The CLI as a user starts it (`npx labelcast` runs client-example/cli/labelcast.js), where no stack is needed:
 * a fresh clone, a stack that is down, bad usage. Each failure is one line on stderr with the promised exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';

const launcher = path.join(repoRoot, 'client-example/cli/labelcast.js');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `labelcast …` in `cwd` with a state dir of its own (no CA: as on a fresh clone) and no inherited stack settings. */
function labelcast(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const cwd = options.cwd ?? mkdtempSync(path.join(tmpdir(), 'labelcast-cli-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LABELCAST_STATE_DIR: path.join(cwd, '.labelcast'), ...options.env };
  return new Promise((resolve) => {
    execFile(process.execPath, [launcher, ...args], { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.trim().split('\n');

/** A port nothing listens on: one the OS handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Each run starts Node with tsx and loads aws-amplify: seconds each on 2 shared cores.
describe('CLI without a stack: client-example/cli/labelcast.js', { timeout: 90_000 }, () => {
  it('on a fresh clone (no amplify_outputs.json) says to run npm start, in one line, without certificate warnings', async () => {
    const ran = await labelcast(['search', 'Cat']);
    expect(ran.code).toBe(1);
    expect(lines(ran.stderr)).toEqual(['labelcast: no amplify_outputs.json: run npm start in another terminal (it writes this file), or pass --outputs FILE']);
    expect(ran.stdout).toBe('');
  });

  it('with the stack down says which URL it cannot reach and asks whether npm start runs', async () => {
    // Prepare: outputs of a local stack whose port nothing listens on
    const cwd = mkdtempSync(path.join(tmpdir(), 'labelcast-cli-'));
    const url = `https://127.0.0.1:${await closedPort()}/graphql`;
    writeFileSync(path.join(cwd, 'amplify_outputs.json'), JSON.stringify({ version: '1.3', data: { url, aws_region: 'us-east-1', api_key: 'da2-local', default_authorization_type: 'API_KEY', authorization_types: [] } }));
    // Act
    const ran = await labelcast(['labels'], { cwd });
    // Assess
    expect(ran.code).toBe(1);
    expect(lines(ran.stderr)).toEqual([`labelcast: cannot reach ${url}: is \`npm start\` running?`]);
  });

  it('exits 2 with one line for a file that does not exist, before anything else', async () => {
    const ran = await labelcast(['upload', 'photos/cat.jpgg']);
    expect(ran.code).toBe(2);
    expect(lines(ran.stderr)).toEqual(['labelcast: no such file or directory: photos/cat.jpgg (check the path; nothing was uploaded)']);
  });

  it('exits 2 with one line for an unknown option or a bad value', async () => {
    const unknown = await labelcast(['search', 'Cat', '--min-confidnce', '60']);
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)).toEqual(['labelcast: unknown option --min-confidnce: see labelcast search --help']);
    const bad = await labelcast(['list', '--limit', '0']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual(['labelcast: --limit must be a whole number from 1 to 100, got 0']);
  });

  it('prints help with exit 0', async () => {
    const ran = await labelcast(['--help']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^usage: labelcast COMMAND/);
    for (const command of ['upload', 'watch', 'search', 'list', 'labels', 'get', 'delete']) expect(ran.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('takes --json that npm run cli swallowed without --, from npm_config_json', async () => {
    // `npm run cli labels --json --limit 5` without --: the bad --limit shows the options were read back from npm's env
    const ran = await labelcast(['labels'], { env: { npm_lifecycle_event: 'cli', npm_config_json: 'true', npm_config_limit: '500' } });
    expect(ran.code).toBe(2);
    expect(lines(ran.stderr)).toEqual(['labelcast: --limit must be a whole number from 1 to 100, got 500']);
  });
});
