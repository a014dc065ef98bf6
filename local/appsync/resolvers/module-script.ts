/**
 * Turns a resolver bundle (ESM, as AppSync receives it) into a script the
 * sandbox can evaluate: node:vm runs scripts, and its module API needs a
 * Node flag. Imports become calls to the runtime's module table, exports
 * become the factory's return value. Lines stay where they were, so runtime
 * errors point at the same lines the bundle's source map describes.
 *
 * The AST comes from ESLint's parser (the same one the APPSYNC_JS check uses),
 * through a rule that only records import and export nodes. ESLint is loaded
 * at the first call: a start whose scripts are all remembered
 * (prepared-code.ts) never loads it.
 */
import type { Linter, Rule } from 'eslint';
import { createRequire } from 'node:module';
import { ResolverCodeError } from '../errors.ts';

const requireFromHere = createRequire(import.meta.url);
let linter: Linter | undefined;
const shapeLinter = (): Linter => {
  linter ??= new (requireFromHere('eslint') as typeof import('eslint')).Linter({ configType: 'flat' });
  return linter;
};

/** Name of the factory's parameter that imports a runtime module. */
const importFunction = '__appsyncImport';

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface ModuleShape {
  readonly edits: Edit[];
  /** exported name → local name */
  readonly exports: Map<string, string>;
  readonly problems: string[];
}

type Node = Rule.Node & { range: [number, number] };

function collectModuleShape(text: string): ModuleShape {
  const shape: ModuleShape = { edits: [], exports: new Map(), problems: [] };
  const collector: Rule.RuleModule = {
    create: () => ({
      ImportDeclaration(node) {
        const { range } = node as Node;
        const source = JSON.stringify(String(node.source.value));
        const call = `${importFunction}(${source})`;
        const bindings: string[] = [];
        let namespace: string | undefined;
        for (const specifier of node.specifiers) {
          if (specifier.type === 'ImportNamespaceSpecifier') namespace = specifier.local.name;
          else if (specifier.type === 'ImportDefaultSpecifier') bindings.push(`default: ${specifier.local.name}`);
          else {
            const imported = specifier.imported.type === 'Identifier' ? specifier.imported.name : String(specifier.imported.value);
            bindings.push(`${JSON.stringify(imported)}: ${specifier.local.name}`);
          }
        }
        const statements = [
          ...(namespace ? [`const ${namespace} = ${call};`] : []),
          ...(bindings.length > 0 ? [`const { ${bindings.join(', ')} } = ${call};`] : []),
          ...(!namespace && bindings.length === 0 ? [`${call};`] : []),
        ];
        shape.edits.push({ start: range[0], end: range[1], text: statements.join(' ') });
      },
      ExportNamedDeclaration(node) {
        const { range } = node as Node;
        if (node.source) {
          shape.problems.push('re-exports (export … from) are not supported');
          return;
        }
        if (node.declaration) {
          const declaration = node.declaration as Node & typeof node.declaration;
          shape.edits.push({ start: range[0], end: declaration.range[0], text: '' });
          if (declaration.type === 'VariableDeclaration') {
            for (const declarator of declaration.declarations) {
              if (declarator.id.type === 'Identifier') shape.exports.set(declarator.id.name, declarator.id.name);
            }
          } else if (declaration.id) {
            shape.exports.set(declaration.id.name, declaration.id.name);
          }
          return;
        }
        for (const specifier of node.specifiers) {
          const local = specifier.local.type === 'Identifier' ? specifier.local.name : String(specifier.local.value);
          const exported = specifier.exported.type === 'Identifier' ? specifier.exported.name : String(specifier.exported.value);
          shape.exports.set(exported, local);
        }
        shape.edits.push({ start: range[0], end: range[1], text: '' });
      },
      ExportDefaultDeclaration(node) {
        const { range } = node as Node;
        const declaration = node.declaration as Node;
        shape.edits.push({ start: range[0], end: declaration.range[0], text: 'const __appsyncDefault = ' });
        shape.exports.set('default', '__appsyncDefault');
      },
      ExportAllDeclaration() {
        shape.problems.push('re-exports (export * from) are not supported');
      },
    }),
  };
  const messages = shapeLinter().verify(
    text,
    [{ plugins: { shape: { rules: { collect: collector } } }, languageOptions: { ecmaVersion: 'latest', sourceType: 'module' }, rules: { 'shape/collect': 'error' } }],
    { filename: 'resolver-bundle.mjs' },
  );
  for (const message of messages) if (message.fatal) shape.problems.push(`${message.line}:${message.column} ${message.message}`);
  return shape;
}

/** Keeps the line count of replaced text, so later lines do not move. */
const withSameLines = (original: string, replacement: string) =>
  replacement + '\n'.repeat((original.match(/\n/g) ?? []).length);

/**
 * A function expression `(function (__appsyncImport) { …; return exports; })`
 * equivalent to the bundle. `code` names the file in errors.
 */
export function moduleFactorySource(code: string, text: string): string {
  const shape = collectModuleShape(text);
  if (shape.problems.length > 0) throw new ResolverCodeError(code, `cannot be loaded: ${shape.problems.join('; ')}`);
  let body = text;
  for (const edit of [...shape.edits].sort((left, right) => right.start - left.start)) {
    body = body.slice(0, edit.start) + withSameLines(body.slice(edit.start, edit.end), edit.text) + body.slice(edit.end);
  }
  const exported = [...shape.exports].map(([name, local]) => `${JSON.stringify(name)}: ${local}`).join(', ');
  // Same first line: only line 1's columns shift. ESM is strict; so is the factory.
  return `(function (${importFunction}) { "use strict"; ${body}\nreturn { ${exported} }; })`;
}
