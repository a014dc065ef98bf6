/**
 * `npm start` with a resolver AppSync would refuse: the stack exits non-zero
 * before serving, naming the file, line and rule. Runs `local/main.ts` in a
 * child process as `npm start` does, with LABELCAST_RESOLVERS_DIR pointing at
 * a copy of resolvers/ in which one file gained a try/catch.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStackProcess } from '../../local/child-process-stack.ts';
import { configFromEnv } from '../../local/config.ts';
import { startedStateDir } from '../local-appsync-server/state-dir.ts';
import { copyOfResolvers, type ResolversCopy } from '../support/resolvers-copy.ts';

const copies: ResolversCopy[] = [];
const stateDirs: string[] = [];
afterAll(() => {
  for (const copy of copies) copy.remove();
  for (const stateDir of stateDirs) rmSync(stateDir, { recursive: true, force: true });
});

describe('npm start with a resolver AppSync refuses', () => {
  // Starts the stack's process (its cached bundle; bundling and checking the copied resolvers): up to a minute on 2 shared cores.
  it('exits 1 naming the file, line and rule, without serving', { timeout: 120_000 }, async () => {
    const resolvers = copyOfResolvers();
    copies.push(resolvers);
    const { dir } = resolvers;
    const file = path.join(dir, 'Query.image.ts');
    const edited = resolvers.edit(
      'Query.image.ts',
      'export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {\n',
      'export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {\n  try {\n    util.autoId();\n  } catch {\n    util.error(\'never\');\n  }\n',
    );
    const line = edited.split('\n').indexOf('  try {') + 1;

    // A state dir as a first start left it (TLS material, user pool), as a restart finds it: the refusal does not
    // depend on it, and the worker makes the pool's RSA key once for every test that needs one (../local-appsync-server/state-dir.ts).
    const stateDir = await startedStateDir('labelcast-refusal-', configFromEnv({}).region);
    stateDirs.push(stateDir);
    process.env.LABELCAST_RESOLVERS_DIR = dir;
    let failure: unknown;
    try {
      const stack = await startStackProcess({ stateDir });
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
