/** The example CLI, run as a user runs it, against the same local stack. */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'client-example/cli.ts', ...args, '--outputs', inject('outputsPath')], {
    cwd: repoRoot,
    env: process.env,
  });

describe('CLI: client-example/cli.ts', () => {
  it('uploads a photo and prints the labels pushed over the subscription, then finds it with search', async () => {
    const upload = await cli('upload', 'tests/fixtures/cat.jpg');
    expect(upload.stdout).toMatch(/uploaded as (\S+), waiting for labels/);
    expect(upload.stdout).toMatch(/LABELED/);
    expect(upload.stdout).toMatch(/^\s+Cat\s+\d+\.\d%.*\(.*Mammal.*\)$/m);
    const imageId = /uploaded as (\S+),/.exec(upload.stdout)![1];

    const search = await cli('search', 'cat');
    expect(search.stdout).toContain(imageId);
  });

  it('exits 2 with usage on a bad command', async () => {
    await expect(cli('frobnicate')).rejects.toMatchObject({ code: 2 });
    await expect(cli('search', 'cat', '--min-confidence', '101')).rejects.toMatchObject({ code: 2 });
  });

  it('uploads a directory concurrently with --json, and exits 1 because one image FAILED', async () => {
    // Prepare: two photos and one file that is not an image but has an image's name
    const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-cli-'));
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
    // Prepare: watch runs until stopped, as with Ctrl-C
    const watcher = spawn(process.execPath, ['--import', 'tsx', 'client-example/cli.ts', 'watch', '--json', '--outputs', inject('outputsPath')], {
      cwd: repoRoot,
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    watcher.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    watcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => watcher.once('exit', resolve));
    try {
      // Wait until AppSync acknowledged it: the process logs nothing in --json mode, so poll for a labelled upload instead.
      let seen = false;
      for (let attempt = 0; attempt < 5 && !seen; attempt += 1) {
        const upload = await cli('upload', 'tests/fixtures/rocket.jpg', '--json');
        const { id } = JSON.parse(upload.stdout.trim());
        for (let wait = 0; wait < 20 && !stdout.includes(id); wait += 1) await new Promise((resolve) => setTimeout(resolve, 250));
        seen = stdout.includes(id);
      }

      // Assess
      expect(seen, stderr).toBe(true);
      expect(JSON.parse(stdout.trim().split('\n')[0])).toMatchObject({ status: expect.stringMatching(/LABELED|FAILED/) });
    } finally {
      watcher.kill('SIGINT');
      await exited;
    }
  });
});
