/**
 * The sandbox's table of built-in methods (local/appsync/appsync-utils/supported-builtins.ts) against its sources:
 * @aws-appsync/eslint-plugin's deny list, read from the installed plugin, and the methods the running V8 has.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { refusedBuiltIns } from '../../local/appsync/appsync-utils/lockdown.ts';
import { supportedBuiltIns, unsupportedBuiltIns, type BuiltInReceiver } from '../../local/appsync/appsync-utils/supported-builtins.ts';

/** A realm as fresh as the sandbox's before its runtime runs. */
const realm = vm.runInNewContext('globalThis') as typeof globalThis;

/** DENIED_METHODS of the installed plugin's no-disallowed-methods rule, as it names them (`String.padStart`). */
function pluginDeniedMethods(): string[] {
  const file = createRequire(import.meta.url).resolve('@aws-appsync/eslint-plugin/lib/rules/no-disallowed-methods.js');
  const list = /const DENIED_METHODS = \[([^\]]*)\]/.exec(readFileSync(file, 'utf8'));
  if (!list) throw new Error(`no DENIED_METHODS list in ${file}`);
  return [...list[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
}

/**
 * The plugin's name as the table's receiver and method: TypeScript's ObjectConstructor is the Object function;
 * the plugin writes both `Array.from` (a static) and `Array.copyWithin` (a prototype method) as `Array.…`, so the
 * method is the constructor's when it has one of that name, else its prototype's.
 */
function tableNameOf(pluginName: string): { receiver: BuiltInReceiver; method: string } {
  const [type, method] = pluginName.split('.');
  if (type === 'ObjectConstructor') return { receiver: 'Object', method };
  const constructor = realm[type as 'Array' | 'String' | 'Date'];
  const isStatic = Object.hasOwn(constructor, method);
  return { receiver: (isStatic ? type : `${type}.prototype`) as BuiltInReceiver, method };
}

/** The receiver's own methods in a fresh realm. */
function ownMethods(receiver: BuiltInReceiver): string[] {
  const target = receiver.split('.').reduce<unknown>((object, key) => (object as Record<string, unknown>)[key], realm) as object;
  return Object.getOwnPropertyNames(target).filter(
    (name) => name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(target, name)?.value === 'function',
  );
}

const receivers = Object.keys(supportedBuiltIns) as BuiltInReceiver[];

describe('The built-in methods the APPSYNC_JS sandbox offers', () => {
  it('refuses every method the plugin denies, and allows none of them', () => {
    const denied = pluginDeniedMethods();
    expect(denied.length).toBeGreaterThan(60);
    const misplaced = denied.map(tableNameOf).filter(({ receiver, method }) => unsupportedBuiltIns[receiver][method] !== 'plugin' || Object.hasOwn(supportedBuiltIns[receiver], method));
    expect(misplaced).toEqual([]);
  });

  it('says the plugin denies only what it does', () => {
    const denied = new Set(pluginDeniedMethods().map(tableNameOf).map(({ receiver, method }) => `${receiver}.${method}`));
    const claimed = receivers.flatMap((receiver) =>
      Object.entries(unsupportedBuiltIns[receiver])
        .filter(([, because]) => because === 'plugin')
        .map(([method]) => `${receiver}.${method}`),
    );
    expect(claimed.filter((name) => !denied.has(name))).toEqual([]);
  });

  it('decides every method this V8 has on its receivers, each one way only', () => {
    const undecided = receivers.flatMap((receiver) =>
      ownMethods(receiver)
        .filter((method) => !Object.hasOwn(supportedBuiltIns[receiver], method) && !Object.hasOwn(unsupportedBuiltIns[receiver], method))
        .map((method) => `${receiver}.${method}`),
    );
    expect(undecided).toEqual([]);
    const both = receivers.flatMap((receiver) =>
      Object.keys(supportedBuiltIns[receiver]).filter((method) => Object.hasOwn(unsupportedBuiltIns[receiver], method)).map((method) => `${receiver}.${method}`),
    );
    expect(both).toEqual([]);
  });

  it('refuses nothing but what a source refuses, and leaves the allowed methods in place', () => {
    const refused = refusedBuiltIns(realm);
    expect(refused.filter(({ receiver, method }) => !Object.hasOwn(unsupportedBuiltIns[receiver], method))).toEqual([]);
    expect(refused).toContainEqual({ receiver: 'String.prototype', method: 'padStart' });
    expect(refused).toContainEqual({ receiver: 'Array', method: 'from' });
    expect(refused).toContainEqual({ receiver: 'String', method: 'fromCharCode' });
    // Inherited: Object.prototype's valueOf reached through the Object function, as the plugin names it.
    expect(refused).toContainEqual({ receiver: 'Object', method: 'valueOf' });
    expect(refused).not.toContainEqual({ receiver: 'Object.prototype', method: 'valueOf' });
    // Conversion hooks the language calls implicitly stay (lockdown.ts conversionHooks).
    expect(refused).not.toContainEqual({ receiver: 'Array.prototype', method: 'toString' });
  });
});
