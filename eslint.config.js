// ESLint 9 flat config: typescript-eslint everywhere, and AppSync's own rules
// on the APPSYNC_JS resolver code (and the api/ modules it bundles).
import js from '@eslint/js';
import appsync from '@aws-appsync/eslint-plugin';
import tseslint from 'typescript-eslint';

// Code that runs on APPSYNC_JS: the resolvers and the api/ modules they bundle.
const appSyncJsFiles = ['resolvers/**/*.ts', 'api/limits.ts', 'api/table.ts', 'api/media.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.labelcast/', 'dist/', 'bench/results/', 'test-output/', 'client-example/web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { ...appsync.configs.recommended, files: appSyncJsFiles },
  {
    files: appSyncJsFiles,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
);
