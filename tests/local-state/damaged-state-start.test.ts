/**
 * `npm start` on a state dir with a damaged file: it exits 1 with one line
 * naming the file and what to do, no stack trace, and mints nothing in the
 * damaged file's place. Each case starts its own stack process, needing no
 * e2e stack: a unit-project file, which need not wait for them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStackProcess } from '../../local/child-process-stack.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The exit code and output of a stack started on a state dir holding `files`, which must not get ready. */
async function failedStart(files: Readonly<Record<string, string>>): Promise<{ code: number; output: string; stateDir: string }> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-damaged-'));
  dirs.push(stateDir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(stateDir, name)), { recursive: true });
    writeFileSync(path.join(stateDir, name), content);
  }
  const started = await startStackProcess({ stateDir }).then(
    async (stack) => {
      await stack.stop();
      throw new Error(`the stack started on a damaged state dir:\n${stack.stdout()}`);
    },
    (error: unknown) => error as Error,
  );
  const match = /^stack exited with (\d+) before ready:\n([\s\S]*)$/.exec(started.message);
  if (!match) throw started;
  return { code: Number(match[1]), output: match[2] ?? '', stateDir };
}

describe('npm start: damaged state files', () => {
  // Each case starts the stack's process (loading its modules, up to the file's check): seconds on 2 shared cores.
  it.each([
    ['secrets.json', '{"apiKey": "da2-', /^labelcast cannot start: \S+\/secrets\.json is not valid JSON \(error at position \d+\); fix it, or delete it to mint new secrets/],
    ['secrets.json', '{}', /^labelcast cannot start: \S+\/secrets\.json lacks apiKey and tokenSecret; fix it, or delete it to mint new secrets/],
    ['credentials.json', '{"accessKeyId":', /^labelcast cannot start: \S+\/credentials\.json is not valid JSON.*; fix it, or delete it to mint a new key pair/],
    ['cognito/user-pool.json', 'null', /^labelcast cannot start: \S+\/cognito\/user-pool\.json does not hold a JSON object; fix it, or delete it to make a new pool/],
    [
      'cognito/users/0b6f8a52-3c1d-4e2f-9a7b-5c4d3e2f1a0b.json',
      '{"userId": "0b6f8a52-3c1d-4e2f-9a7b-5c4d3e2f1a0b"}',
      /^labelcast cannot start: \S+\/cognito\/users\/0b6f8a52-3c1d-4e2f-9a7b-5c4d3e2f1a0b\.json lacks email; fix it, or delete it to forget that user/,
    ],
    ['dynamodb/CURRENT', 'garbage', /^labelcast cannot start: \S+\/dynamodb\/CURRENT is damaged \(Corruption: .*\); restore the dynamodb directory from a backup, or delete it/],
  ])('%s = %j: exits 1 with one line naming it, no stack trace, and leaves it as it was', { timeout: 90_000 }, async (name, content, message) => {
    // Act
    const { code, output, stateDir } = await failedStart({ [name]: content });

    // Assess
    expect(code).toBe(1);
    const lines = output.split('\n');
    expect(lines.filter((line) => line.includes(name))).toEqual([expect.stringMatching(message)]);
    expect(output).not.toMatch(/^\s+at /m);
    // Never new secrets (or keys, or a new pool) minted in its place.
    expect(readFileSync(path.join(stateDir, name), 'utf8')).toBe(content);
  });
});
