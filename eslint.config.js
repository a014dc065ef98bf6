// ESLint 9 flat config: typescript-eslint everywhere, and AppSync's own rules
// on the APPSYNC_JS resolver code and every file bundled into it.
import js from '@eslint/js';
import appsync from '@aws-appsync/eslint-plugin';
import { buildSync } from 'esbuild';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import tseslint from 'typescript-eslint';

/**
 * Code that runs on APPSYNC_JS: every file esbuild reads into a resolver bundle
 * (its metafile inputs), so a module a resolver starts importing is linted
 * from then on. Bundled as api/bundle.ts does (which a JS config cannot import):
 * each file under resolvers/ is an entry, @aws-appsync/* stays external.
 */
function appSyncJsFiles() {
  const resolversDir = path.join(import.meta.dirname, 'resolvers');
  const entryPoints = readdirSync(resolversDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
  const { metafile } = buildSync({
    absWorkingDir: import.meta.dirname,
    entryPoints,
    outdir: 'out',
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    metafile: true,
    logLevel: 'silent',
    external: ['@aws-appsync/utils'],
  });
  return Object.keys(metafile.inputs).sort();
}

const appSyncJs = appSyncJsFiles();

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.labelcast/', 'dist/', 'bench/results/', 'test-output/', 'client-example/web/dist/', 'client-example/graphql/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Either import makes `npm run typecheck` read every module of aws-cdk-lib (2,564 declaration files, ~960k lines,
      // ~3 CPU-s) rather than the ~1,200 files of the modules the app uses.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'aws-cdk-lib', message: "Import App, Stack, Duration, … from 'aws-cdk-lib/core' (the same module) or from the service's module." },
            { name: '@cdklabs/cdk-validator-cfnguard', message: "Use infra/guard-policy.ts: the package's types import aws-cdk-lib's root." },
          ],
        },
      ],
    },
  },
  { ...appsync.configs.recommended, files: appSyncJs },
  {
    // Some AppSync rules need types (no-function-passing, no-disallowed-methods). tsconfig.appsync.json holds only
    // resolvers/ and what they import, not the whole repo (aws-cdk-lib's and the SDK's types): a fresh lint took
    // 26 CPU-s instead of 46 with the project service over tsconfig.json, with the same findings. Nor lib.dom or
    // @types/node (APPSYNC_JS has neither): ~2 CPU-s less, the same findings on a file breaking each typed rule.
    files: appSyncJs,
    languageOptions: { parserOptions: { project: './tsconfig.appsync.json', tsconfigRootDir: import.meta.dirname } },
  },
);
