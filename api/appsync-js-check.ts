/**
 * What AppSync refuses in APPSYNC_JS code, checked on the bundle it would
 * receive (api/bundle.ts), so the offline stack refuses a resolver exactly
 * where `cdk deploy` would be refused.
 *
 * Rules, from AWS's "Supported runtime features" page
 * (https://docs.aws.amazon.com/appsync/latest/devguide/supported-features.html)
 * and the resolver API's code length constraint:
 * - the syntax rules of `@aws-appsync/eslint-plugin` (its `base` set: try,
 *   while/do-while, for(;;), continue, labels, async/await/Promise, classes,
 *   generators, this, regex literals, ++/--/~, in, instanceof, ctx
 *   reassignment), run on the bundled JavaScript with ESLint's Linter;
 * - what the plugin misses: `throw` (not supported; util.error ends a
 *   resolver), class expressions (esbuild bundles `class A {}` as
 *   `var A = class {}`, which the plugin's declaration rule does not see), and
 *   imports of anything but the runtime's modules the local sandbox provides;
 * - `code` is at most 32,768 characters (CreateResolver/CreateFunction),
 *   the inline source map included, as it is deployed.
 * The plugin's type-aware rules (recursion, disallowed methods, passing
 * functions) need a TypeScript program: `npm run lint` runs them on the sources.
 *
 * Positions are mapped back to the source files through the bundle's inline
 * source map, so a violation names the file a person edits.
 */
import type { ESLint, Linter, Rule } from 'eslint';
import { createRequire, SourceMap } from 'node:module';
import path from 'node:path';
import { appSyncBuiltinModules, repoRoot, type ResolverBundle } from './bundle.ts';

/** CreateResolver / CreateFunction: `code` length constraint. */
export const maxCodeLength = 32_768;

export interface AppSyncJsViolation {
  /** Source file, relative to the repo root when inside it. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** ESLint rule id, e.g. `@aws-appsync/no-try`, `appsync-js/no-throw`, `appsync-js/code-size`. */
  readonly rule: string;
  readonly message: string;
}

/** Base error of the APPSYNC_JS code checks. */
export class AppSyncJsCheckError extends Error {
  public override readonly name: string = 'AppSyncJsCheckError';
  public constructor(
    /** The code file as api/manifest.ts names it. */
    public readonly code: string,
    public readonly violations: readonly AppSyncJsViolation[],
    options?: ErrorOptions,
  ) {
    super(
      `${code} uses what the APPSYNC_JS runtime refuses (cdk deploy would fail):\n` +
        violations.map((violation) => `  ${formatViolation(violation)}`).join('\n'),
      options,
    );
  }
}

export const formatViolation = (violation: AppSyncJsViolation): string =>
  `${violation.file}:${violation.line}:${violation.column} ${violation.rule}: ${violation.message}`;

const builtinModules: ReadonlySet<string> = new Set(appSyncBuiltinModules);

/** Rules the plugin lacks; each names the documented restriction it enforces. */
const ownRules: Record<string, Rule.RuleModule> = {
  'no-throw': {
    meta: { type: 'problem', docs: { description: '`throw` is not supported by APPSYNC_JS; use util.error' }, schema: [] },
    create: (context) => ({
      ThrowStatement: (node) =>
        context.report({ node, message: 'Throw statements are not supported. Use util.error() to end the resolver with an error.' }),
    }),
  },
  // The plugin checks class declarations only; esbuild writes `class A {}` as `var A = class {}`.
  'no-class-expressions': {
    meta: { type: 'problem', docs: { description: 'classes are not supported by APPSYNC_JS' }, schema: [] },
    create: (context) => ({
      ClassExpression: (node) => context.report({ node, message: 'Classes are not supported.' }),
    }),
  },
  'no-unsupported-import': {
    meta: { type: 'problem', docs: { description: 'only the runtime modules can be imported' }, schema: [] },
    create: (context) => ({
      ImportDeclaration: (node) => {
        const source = String(node.source.value);
        if (!builtinModules.has(source)) {
          context.report({ node, message: `Import of '${source}' is not supported: the local APPSYNC_JS runtime provides ${[...builtinModules].join(' and ')}; bundle other code.` });
        }
      },
      ImportExpression: (node) => context.report({ node, message: 'Dynamic import() is not supported.' }),
    }),
  },
};

const ownPlugin: ESLint.Plugin = { rules: ownRules };

/**
 * The plugin's `base` rules (its `configs.base`), by rule name, with the file each lives in. They are
 * loaded file by file, not through the plugin's index: the index also loads @typescript-eslint/parser
 * and TypeScript for the type-aware rules, ~90 MiB that the stack kept for its whole run after this
 * one check at start (the base rules import nothing). tests/local-appsync-runtime/appsync-js-check.test.ts
 * checks that this list is the plugin's own `configs.base`.
 */
export const appSyncBaseRuleFiles = {
  'no-async': 'no-async',
  'no-await': 'no-await',
  'no-classes': 'no-classes',
  'no-for': 'no-for',
  'no-continue': 'no-continue',
  'no-generators': 'no-generators',
  'no-yield': 'no-yield',
  'no-labels': 'no-labels',
  'no-regex': 'no-regex',
  'no-this': 'no-this',
  'no-try': 'no-try',
  'no-while': 'no-while',
  'no-disallowed-unary-operators': 'no-disallowed-unary-operators',
  'no-disallowed-binary-operators': 'no-disallowed-binary-operator',
  'no-promise': 'no-promise',
  'no-disallowed-re-assignment': 'no-disallowed-re-assignment',
  'no-in-operator': 'no-in-operator',
} as const;

/**
 * ESLint and the rules are loaded at the first check, not when this module is imported: a stack start whose
 * bundles all passed before (local/appsync/resolvers/prepared-code.ts) never loads them (about 0.6 s of CPU).
 */
const requireFromHere = createRequire(import.meta.url);
/** A rule file's rule: most set `module.exports`, some are compiled ES modules with a `default` export (as the index reads them). */
function loadBaseRule(file: string): Rule.RuleModule {
  const loaded = requireFromHere(`@aws-appsync/eslint-plugin/lib/rules/${file}.js`) as Rule.RuleModule | { __esModule: true; default: Rule.RuleModule };
  return '__esModule' in loaded && loaded.__esModule ? loaded.default : (loaded as Rule.RuleModule);
}
let baseRules: Readonly<Record<string, Rule.RuleModule>> | undefined;
/** The base rules as loaded from their files, by rule name (loaded at the first call). */
export function appSyncBaseRules(): Readonly<Record<string, Rule.RuleModule>> {
  baseRules ??= Object.fromEntries(Object.entries(appSyncBaseRuleFiles).map(([name, file]) => [name, loadBaseRule(file)]));
  return baseRules;
}

const lintConfig = (): Linter.Config[] => [
  {
    plugins: { '@aws-appsync': { rules: appSyncBaseRules() } satisfies ESLint.Plugin, 'appsync-js': ownPlugin },
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    rules: {
      ...Object.fromEntries(Object.keys(appSyncBaseRuleFiles).map((name) => [`@aws-appsync/${name}`, 'error' as const])),
      'appsync-js/no-throw': 'error',
      'appsync-js/no-class-expressions': 'error',
      'appsync-js/no-unsupported-import': 'error',
    },
  },
];

let loadedLinter: { readonly linter: Linter; readonly config: Linter.Config[] } | undefined;
/** ESLint's Linter with this module's config, made at the first check. */
function appSyncLinter(): { readonly linter: Linter; readonly config: Linter.Config[] } {
  if (!loadedLinter) {
    const { Linter: LinterClass } = requireFromHere('eslint') as typeof import('eslint');
    loadedLinter = { linter: new LinterClass({ configType: 'flat' }), config: lintConfig() };
  }
  return loadedLinter;
}

function inlineSourceMap(text: string): SourceMap | null {
  const match = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(text);
  if (!match) return null;
  return new SourceMap(JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')));
}

/** esbuild names sources relative to the repo root; files outside it are shown absolute. */
function repoRelative(source: string): string {
  const absolute = path.resolve(repoRoot, source);
  const relative = path.relative(repoRoot, absolute);
  return relative.startsWith('..') ? absolute : relative;
}

/** Maps a 1-based bundle position to its source file; the code file itself when there is no mapping. */
function originOf(map: SourceMap | null, code: string, line: number, column: number) {
  const entry = map?.findEntry(line - 1, column - 1) as
    | { originalSource?: string; originalLine?: number; originalColumn?: number }
    | undefined;
  if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) return { file: code, line, column };
  return { file: repoRelative(entry.originalSource), line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
}

/**
 * Every violation in one bundled code file, in bundle order; empty when
 * AppSync would take it. `code` is the file as api/manifest.ts names it.
 */
export function checkResolverBundle(code: string, bundle: ResolverBundle): AppSyncJsViolation[] {
  const violations: AppSyncJsViolation[] = [];
  if (bundle.text.length > maxCodeLength) {
    violations.push({
      file: code,
      line: 1,
      column: 1,
      rule: 'appsync-js/code-size',
      message: `The bundled code is ${bundle.text.length} characters; AppSync takes at most ${maxCodeLength}.`,
    });
  }
  const map = inlineSourceMap(bundle.text);
  const { linter, config } = appSyncLinter();
  for (const message of linter.verify(bundle.text, config, { filename: 'resolver-bundle.mjs' })) {
    const origin = originOf(map, code, message.line, message.column);
    violations.push({ ...origin, rule: message.ruleId ?? 'appsync-js/syntax', message: message.message });
  }
  return violations;
}

/** Throws AppSyncJsCheckError when the bundle has any violation. */
export function assertResolverBundle(code: string, bundle: ResolverBundle): void {
  const violations = checkResolverBundle(code, bundle);
  if (violations.length > 0) throw new AppSyncJsCheckError(code, violations);
}
