/**
 * The CLI as a user starts it (`npx labelcast` runs client-example/cli/labelcast.js), where no stack is needed:
 * a fresh clone, a stack that is down, bad usage. Each failure is one line on stderr with the promised exit code.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { tempDirs } from '../support/temp-dirs.ts';

const launcher = path.join(repoRoot, 'client-example/cli/labelcast.js');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Working directories of the runs below, removed after each test. */
const freshDir = tempDirs('labelcast-cli-');

/** Runs `labelcast …` in `cwd` with a state dir of its own (no CA: as on a fresh clone) and no inherited stack settings. */
function labelcast(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const cwd = options.cwd ?? freshDir();
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

// Each run starts the launcher and the CLI's cached bundle in a child node (client-example/cli/labelcast.js), some
// load aws-amplify: up to seconds each on 2 shared cores.
describe('CLI without a stack: client-example/cli/labelcast.js', { timeout: 90_000 }, () => {
  it('on a fresh clone (no amplify_outputs.json) says to run npm start, in one line, without certificate warnings', async () => {
    const ran = await labelcast(['search', 'Cat']);
    expect(ran.code).toBe(1);
    expect(lines(ran.stderr)).toEqual(['labelcast: no amplify_outputs.json: run npm start in another terminal (it writes this file), or pass --outputs FILE']);
    expect(ran.stdout).toBe('');
  });

  it('with the stack down says which URL it cannot reach and asks whether npm start runs', async () => {
    // Prepare: outputs of a local stack whose port nothing listens on
    const cwd = freshDir();
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

/** Characters a terminal acts on instead of showing: ESC, BEL, CR, 8-bit CSI, a bidirectional override. */
// eslint-disable-next-line no-control-regex -- matching them is the point
const terminalControls = /[\u001b\u0007\r\u009b\u202e]/;

/**
 * A GraphQL endpoint that answers as a hostile (or compromised) server would: every string
 * it returns carries terminal escape sequences (set the window title, clear the screen, CSI).
 */
async function hostileGraphqlServer(): Promise<{ url: string; close(): Promise<void> }> {
  const escapes = '\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202e';
  const image = {
    __typename: 'Image',
    id: `img${escapes}`,
    status: 'LABELED',
    contentType: 'image/jpeg',
    sizeBytes: 1,
    fileName: `cat${escapes}.jpg`,
    createdAt: '2026-11-29T10:00:00.000Z',
    labeledAt: '2026-11-29T10:00:01.000Z',
    error: null,
    owner: null,
    labels: [{ __typename: 'Label', name: `Cat${escapes}`, confidence: 97, parents: [`Animal${escapes}`], aliases: [], categories: [], instances: [] }],
    moderationLabels: [{ __typename: 'ModerationLabel', name: `Nudity${escapes}`, confidence: 60, parents: [] }],
    properties: null,
  };
  const server = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const query = (JSON.parse(body) as { query: string }).query;
      const answer = query.includes('imagesByLabel')
        ? { data: null, errors: [{ errorType: `BadRequest${escapes}`, message: `label ${escapes} is not valid` }] }
        : { data: { images: { __typename: 'ImagePage', items: [image], nextToken: null } } };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('CLI against a hostile server: nothing the server says reaches the terminal as a control sequence', { timeout: 90_000 }, () => {
  it('prints label, file and error texts with their escape characters made visible, in text and in --json', async () => {
    // Prepare
    const server = await hostileGraphqlServer();
    const cwd = freshDir();
    writeFileSync(path.join(cwd, 'amplify_outputs.json'), JSON.stringify({ version: '1.3', data: { url: server.url, aws_region: 'us-east-1', api_key: 'da2-local', default_authorization_type: 'API_KEY', authorization_types: [] } }));
    try {
      // Act
      const listed = await labelcast(['list'], { cwd });
      const json = await labelcast(['list', '--json'], { cwd });
      const refused = await labelcast(['search', 'Cat'], { cwd });
      // Assess: the text is all there, its controls escaped
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('Cat\\u001b]0;pwned\\u0007');
      expect(listed.stdout).not.toMatch(terminalControls);
      expect(listed.stderr).not.toMatch(terminalControls);
      expect(json.code).toBe(0);
      expect(json.stdout).not.toMatch(terminalControls);
      expect((JSON.parse(lines(json.stdout)[0]) as { labels: { name: string }[] }).labels[0].name).toBe('Cat\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202e');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('label \\u001b]0;pwned');
      expect(refused.stderr).not.toMatch(terminalControls);
    } finally {
      await server.close();
    }
  });
});
