/**
 * What AppSync refuses in resolver code, refused before serving: each rule of
 * the runtime's "Supported runtime features" on a resolver in a temp folder,
 * reported with the source file, line and rule; the 32,768-character code
 * limit; and the project's own resolvers, which must all pass.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import appsyncPlugin from '@aws-appsync/eslint-plugin';
import { AppSyncJsCheckError, appSyncBaseRules, checkResolverBundle, maxCodeLength } from '../../api/appsync-js-check.ts';
import { bundleResolverWithInputs } from '../../api/bundle.ts';
import { fields } from '../../api/manifest.ts';
import { createCodeLoader } from '../../local/appsync/resolvers/code-loader.ts';
import { createResolverRuntime } from '../../local/appsync/resolvers/index.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'appsync-js-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a resolver whose request() body is `body`, and returns its path. */
function resolverWith(name: string, body: string, extra = ''): string {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(
    file,
    [
      "import { util, type Context } from '@aws-appsync/utils';",
      extra,
      'export function request(ctx: Context<{ id: string }>) {',
      body,
      '  return { payload: ctx.args };',
      '}',
      'export function response(ctx: Context) {',
      '  return ctx.result;',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

const violationsOf = (file: string) => checkResolverBundle(file, bundleResolverWithInputs({ code: file }));

describe('APPSYNC_JS check: refused constructs', () => {
  it('refuses try/catch through the loader, naming the source file, line and rule', () => {
    const file = resolverWith('tryCatch', ['  try {', '    util.autoId();', '  } catch (error) {', '    util.error(String(error));', '  }'].join('\n'));
    const loader = createCodeLoader();
    let thrown: unknown;
    try {
      loader.load(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppSyncJsCheckError);
    const { violations, message } = thrown as AppSyncJsCheckError;
    expect(violations).toEqual([{ file, line: 4, column: 3, rule: '@aws-appsync/no-try', message: 'Try statements are not supported.' }]);
    expect(message).toContain(`${file}:4:3 @aws-appsync/no-try`);
  });

  it.each([
    ['throw', "  if (ctx.args.id === '') throw new Error('no id');", 'appsync-js/no-throw'],
    ['while', '  let n = 0;\n  while (n < 3) n = n + 1;', '@aws-appsync/no-while'],
    ['do-while', '  let n = 0;\n  do n = n + 1; while (n < 3);', '@aws-appsync/no-while'],
    ['for(;;)', '  for (let n = 0; n < 3; n += 1) util.autoId();', '@aws-appsync/no-for'],
    ['continue', "  for (const id of [ctx.args.id]) { if (id) continue; }", '@aws-appsync/no-continue'],
    ['labels', '  outer: for (const id of [ctx.args.id]) { if (id) break outer; }', '@aws-appsync/no-labels'],
    ['++', '  let n = 0;\n  n++;', '@aws-appsync/no-disallowed-unary-operators'],
    ['in', "  if ('id' in ctx.args) util.autoId();", '@aws-appsync/no-in-operator'],
    ['regex literals', "  if (/x/.test(ctx.args.id)) util.autoId();", '@aws-appsync/no-regex'],
  ])('refuses %s', (_construct, body, rule) => {
    expect(violationsOf(resolverWith(`rule-${rule.replace(/\W/g, '-')}-${_construct.replace(/\W/g, '')}`, body)).map((v) => v.rule)).toContain(rule);
  });

  // Each declaration is used by request(), or esbuild would leave it out of the bundle.
  it.each([
    // esbuild bundles the declaration as `var Box = class {}`, which the plugin's rule misses.
    ['classes', 'class Box {}', '  util.error(String(new Box()));', 'appsync-js/no-class-expressions'],
    ['async functions', 'async function later() { return 1; }', '  util.error(String(later()));', '@aws-appsync/no-async'],
    ['generators', 'function* ids() { yield 1; }', '  util.error(String(ids()));', '@aws-appsync/no-generators'],
 ['modules the runtime does not have', "import { other } from '@aws-appsync/utils/other';", '  util.error(String(other));', 'appsync-js/no-unsupported-import'],
  ])('refuses %s', (construct, extra, body, rule) => {
    expect(violationsOf(resolverWith(`extra-${construct.replace(/\W/g, '')}`, body, extra)).map((v) => v.rule)).toContain(rule);
  });

  it('refuses code over 32,768 characters, as CreateResolver does', () => {
    const big = resolverWith('big', `  const filler = '${'x'.repeat(maxCodeLength)}';\n  if (filler === '') util.autoId();`);
    expect(violationsOf(big)).toEqual([expect.objectContaining({ file: big, rule: 'appsync-js/code-size' })]);
    const small = resolverWith('small', `  const filler = '${'x'.repeat(1000)}';\n  if (filler === '') util.autoId();`);
    expect(violationsOf(small)).toEqual([]);
  });

  it('names the imported file and its line when a violation comes from a bundled module', () => {
    const helper = path.join(dir, 'helper.ts');
    writeFileSync(helper, ['export function count(limit: number) {', '  let n = 0;', '  while (n < limit) n = n + 1;', '  return n;', '}', ''].join('\n'));
    const file = resolverWith('usesHelper', '  count(3);', "import { count } from './helper.ts';");
    expect(violationsOf(file)).toEqual([expect.objectContaining({ file: helper, line: 3, rule: '@aws-appsync/no-while' })]);
  });
});

describe('APPSYNC_JS check: the project', () => {
  it('passes every resolver and pipeline function of the manifest', () => {
    const codes = new Set(fields.flatMap((field) => [field.code, ...(field.kind === 'PIPELINE' ? field.steps.map((step) => step.code) : [])]));
    for (const code of codes) expect(checkResolverBundle(code, bundleResolverWithInputs({ code })), code).toEqual([]);
  });

  it('refuses at preload, before any request, when one resolver breaks a rule', async () => {
    const broken = resolverWith('preloadBroken', '  let n = 0;\n  n--;');
    const runtime = createResolverRuntime({
      dynamoDb: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } },
      tableNames: { imagesTable: 'unused' },
      invokeLambda: async () => null,
      tokenSecret: 'secret',
    });
    const wiring = { typeName: 'Query', fieldName: 'broken', kind: 'UNIT', auth: ['API_KEY'], code: broken, dataSource: 'none' } as const;
    await expect(runtime.preload([...fields, wiring])).rejects.toThrow(`${broken}:5:3 @aws-appsync/no-disallowed-unary-operators`);
  });
});

describe('APPSYNC_JS check: the plugin rules', () => {
  it("runs exactly the plugin's base rules, loaded file by file (without the index that loads TypeScript)", () => {
    const configs = appsyncPlugin.configs as Record<string, { rules: Record<string, unknown> }>;
    const baseRuleIds = Object.keys(configs.base.rules).sort();
    expect(Object.keys(appSyncBaseRules()).map((name) => `@aws-appsync/${name}`).sort()).toEqual(baseRuleIds);
    for (const [name, rule] of Object.entries(appSyncBaseRules())) expect(rule, name).toBe((appsyncPlugin.rules as Record<string, unknown>)[name]);
  });
});
