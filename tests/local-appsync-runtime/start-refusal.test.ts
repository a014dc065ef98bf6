/**
 * `npm start` with a resolver AppSync would refuse: the stack exits non-zero
 * before serving, naming the file, line and rule. Runs `local/main.ts` in a
 * child process as `npm start` does, with LABELCAST_RESOLVERS_DIR pointing at
 * a copy of resolvers/ in which one file gained a try/catch.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { startStackProcess } from '../../local/child-process-stack.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** resolvers/ copied to a temp folder, its `../api/` imports made absolute so they resolve from there. */
function copyOfResolvers(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-resolvers-'));
  dirs.push(dir);
  cpSync(path.join(repoRoot, 'resolvers'), dir, { recursive: true });
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/'(\.\.\/)+api\//g, `'${path.join(repoRoot, 'api')}/`));
  }
  return dir;
}

describe('npm start with a resolver AppSync refuses', () => {
  // Starts the stack's process (tsx, bundling the resolvers): up to a minute on 2 shared cores.
  it('exits 1 naming the file, line and rule, without serving', { timeout: 120_000 }, async () => {
    const dir = copyOfResolvers();
    const file = path.join(dir, 'Query.image.ts');
    const source = readFileSync(file, 'utf8');
    const edited = source.replace(
      'export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {\n',
      'export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {\n  try {\n    util.autoId();\n  } catch {\n    util.error(\'never\');\n  }\n',
    );
    expect(edited).not.toBe(source);
    writeFileSync(file, edited);
    const line = edited.split('\n').indexOf('  try {') + 1;

    process.env.LABELCAST_RESOLVERS_DIR = dir;
    let failure: unknown;
    try {
      const stack = await startStackProcess();
      await stack.stop();
    } catch (error) {
      failure = error;
    } finally {
      delete process.env.LABELCAST_RESOLVERS_DIR;
    }
    const message = String((failure as Error | undefined)?.message);
    expect(message).toMatch(/^stack exited with 1 before ready/);
    expect(message).toContain(`${file}:${line}:3 @aws-appsync/no-try: Try statements are not supported.`);
    expect(message).not.toContain('labelcast ready');
  });
});
