/**
 * The example CLI, run as a user runs it (`npx labelcast` starts client-example/cli/labelcast.js), against the
 * same local stack. What needs no stack (a fresh clone, the stack down, bad usage) is in tests/client/cli-process.test.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { tempDirs } from '../support/temp-dirs.ts';

const run = promisify(execFile);
const launcher = 'client-example/cli/labelcast.js';
/** The launcher trusts the CA of LABELCAST_STATE_DIR, here the e2e stack's. */
const env = () => ({ ...process.env, LABELCAST_STATE_DIR: inject('stateDir') });
const cli = (...args: string[]) => run(process.execPath, [launcher, ...args, '--outputs', inject('outputsPath')], { cwd: repoRoot, env: env() });
/** A run expected to fail: its exit code and output. */
const failing = (...args: string[]) =>
  cli(...args).then(
    (ran) => ({ code: 0, ...ran }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

// Each run starts Node with tsx and loads aws-amplify: seconds each on 2 shared cores, and these tests run several.
describe('CLI: client-example/cli.ts', { timeout: 240_000 }, () => {
  const freshDir = tempDirs('labelcast-cli-');

  it('uploads a folder, lists what it skipped, prints the labels pushed over the subscription and a summary; search finds it', async () => {
    // Prepare: a photo beside a GIF and a TIFF, which labelcast does not take
    const dir = freshDir();
    copyFileSync(path.join(repoRoot, 'tests/fixtures/cat.jpg'), path.join(dir, 'cat.jpg'));
    writeFileSync(path.join(dir, 'anim.gif'), 'GIF89a');
    writeFileSync(path.join(dir, 'scan.tiff'), 'II*\0');

    // Act
    const upload = await cli('upload', dir);

    // Assess
    expect(upload.stdout).toContain(`skipped ${path.join(dir, 'anim.gif')}: not a .jpg, .jpeg, .png or .webp file`);
    expect(upload.stdout).toContain(`skipped ${path.join(dir, 'scan.tiff')}: not a .jpg, .jpeg, .png or .webp file`);
    expect(upload.stdout).toMatch(/uploaded as (\S+), waiting for labels/);
    expect(upload.stdout).toMatch(/LABELED/);
    expect(upload.stdout).toMatch(/^\s+Cat\s+\d+\.\d%.*\(.*Mammal.*\)$/m);
    expect(upload.stdout.trim().split('\n').at(-1)).toBe('1 labelled, 0 failed, 2 skipped');
    const imageId = /uploaded as (\S+),/.exec(upload.stdout)![1];

    const search = await cli('search', 'cat');
    expect(search.stdout).toContain(imageId);
  });

  it('labels, get, list and delete an image; get and delete of a deleted one exit 1', async () => {
    // Prepare
    const upload = await cli('upload', 'tests/fixtures/coffee.jpg', '--json');
    const { id } = JSON.parse(upload.stdout.trim());

    // Act, Assess: the catalog by prefix, the image itself, the library
    const labels = await cli('labels', 'Cu', '--json', '--all');
    expect(labels.stdout.trim().split('\n').map((line) => JSON.parse(line))).toContainEqual({ name: 'Cup', imageCount: expect.any(Number) });
    const got = await cli('get', id);
    expect(got.stdout).toMatch(new RegExp(`^${id}  LABELED  coffee\\.jpg\n\\s+Cup\\s+\\d+\\.\\d%`));
    // Other files upload beside this one (API-key callers share one library), so the image is found by its id
    // among the newest rather than expected on the first line; newest first is tests/e2e/library.test.ts.
    const listed = await cli('list', '--limit', '50');
    expect(listed.stdout).toMatch(new RegExp(`^${id}  LABELED  \\S+  coffee\\.jpg  Cup \\d+%`, 'm'));

    const deleted = await cli('delete', id);
    expect(deleted.stdout.trim()).toBe(`deleted ${id} (coffee.jpg)`);
    const gone = await failing('get', id);
    expect(gone).toMatchObject({ code: 1, stderr: `no image ${id}: labelcast list shows your images\n` });
    const again = await failing('delete', id);
    expect(again).toMatchObject({ code: 1, stderr: `${id}: NotFound: Image ${id} not found\n` });
  });

  it('takes --json through npm run cli without --', async () => {
    const search = await run('npm', ['run', '--silent', 'cli', 'search', 'Cat', '--json', '--outputs=' + inject('outputsPath')], { cwd: repoRoot, env: env() });
    const lines = search.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ id: expect.any(String), status: 'LABELED' });
  });

  it('exits 2 with usage on a bad command', async () => {
    await expect(cli('frobnicate')).rejects.toMatchObject({ code: 2 });
    await expect(cli('search', 'cat', '--min-confidence', '101')).rejects.toMatchObject({ code: 2 });
  });

  it('uploads a directory concurrently with --json, and exits 1 because one image FAILED', async () => {
    // Prepare: two photos and one file that is not an image but has an image's name
    const dir = freshDir();
    mkdirSync(path.join(dir, 'nested'));
    copyFileSync(path.join(repoRoot, 'tests/fixtures/cat.png'), path.join(dir, 'cat.png'));
    copyFileSync(path.join(repoRoot, 'tests/fixtures/coffee.jpg'), path.join(dir, 'nested/coffee.jpg'));
    writeFileSync(path.join(dir, 'broken.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]));

    // Act
    const failure = await cli('upload', dir, '--concurrency', '3', '--json').catch((error: { code: number; stdout: string }) => error);

    // Assess: one NDJSON line a file, the broken one FAILED with a reason, exit code 1
    expect(failure).toMatchObject({ code: 1 });
    const lines = (failure as { stdout: string }).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => path.basename(line.file)).sort()).toEqual(['broken.jpg', 'cat.png', 'coffee.jpg']);
    const byName = Object.fromEntries(lines.map((line) => [path.basename(line.file), line]));
    expect(byName['cat.png']).toMatchObject({ status: 'LABELED', labels: expect.arrayContaining([expect.objectContaining({ name: 'Cat' })]) });
    expect(byName['broken.jpg']).toMatchObject({ status: 'FAILED', error: expect.any(String) });

    // search --json --min-confidence finds the cat, with every label at or above the bar on its entry
    const found = await cli('search', 'Cat', '--min-confidence', '50', '--json');
    const ids = found.stdout.trim().split('\n').map((line) => JSON.parse(line).id);
    expect(ids).toContain(byName['cat.png'].id);
  });

  it('watch streams every labelled image', async () => {
    // Prepare: watch runs until stopped, as with Ctrl-C; it says on stderr once AppSync acknowledged it
    const watcher = startWatch(inject('outputsPath'));
    try {
      await watcher.until(() => watcher.stderr().includes('watching for labelled images'));

      // Act
      const upload = await cli('upload', 'tests/fixtures/rocket.jpg', '--json');
      const { id } = JSON.parse(upload.stdout.trim());

      // Assess
      await watcher.until(() => watcher.stdout().includes(id));
      expect(JSON.parse(watcher.stdout().trim().split('\n')[0])).toMatchObject({ status: expect.stringMatching(/LABELED|FAILED/) });
    } finally {
      await watcher.stop();
    }
  });

  it('watch says when its connection drops, and prints what was labelled meanwhile once it is back', async () => {
    // Prepare: watch through a proxy that can drop its connections (outputs naming the proxy's port)
    const outputs = JSON.parse(readFileSync(inject('outputsPath'), 'utf8')) as { data: { url: string } };
    const url = new URL(outputs.data.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    const proxiedOutputs = path.join(freshDir(), 'amplify_outputs.json');
    writeFileSync(proxiedOutputs, JSON.stringify({ ...outputs, data: { ...outputs.data, url: url.toString() } }));
    const watcher = startWatch(proxiedOutputs);
    try {
      await watcher.until(() => watcher.stderr().includes('watching for labelled images'));

      // Act: the connection drops (new ones are held, as by a restarting server); an image is labelled meanwhile
      proxy.drop();
      await watcher.until(() => watcher.stderr().includes('realtime connection lost: reconnecting'));
      const upload = await cli('upload', 'tests/fixtures/coffee.jpg', '--json');
      const { id, status } = JSON.parse(upload.stdout.trim());
      expect(status).toBe('LABELED');
      proxy.resume();

      // Assess: said it is back, and printed the image it missed, once
      await watcher.until(() => watcher.stdout().includes(id));
      expect(watcher.stderr()).toMatch(/reconnected: [1-9]\d* image\(s\) ended while disconnected/);
      const printed = watcher.stdout().trim().split('\n').map((line) => JSON.parse(line) as { id: string });
      expect(printed.filter((image) => image.id === id)).toEqual([expect.objectContaining({ id, status: 'LABELED' })]);
    } finally {
      await watcher.stop();
      await proxy.close();
    }
  });
});

/** `labelcast watch --json`, its output so far, and a way to wait for it (bounded by the test's timeout). */
function startWatch(outputsPath: string) {
  const watcher = spawn(process.execPath, [launcher, 'watch', '--json', '--outputs', outputsPath], { cwd: repoRoot, env: env() });
  let stdout = '';
  let stderr = '';
  watcher.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  watcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => watcher.once('exit', resolve));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async until(condition: () => boolean): Promise<void> {
      while (!condition()) {
        if (watcher.exitCode !== null) throw new Error(`watch exited with ${watcher.exitCode}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(): Promise<void> {
      watcher.kill('SIGINT');
      await exited;
    },
  };
}
