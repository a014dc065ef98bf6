/** The example CLI, run as a user runs it, against the same local stack. */
import { execFile } from 'node:child_process';
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
  });
});
