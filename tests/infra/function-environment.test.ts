/**
 * Each function's declared environment (api/access.ts) is exactly what its
 * code reads: the function's bundle (esbuild, tree-shaken as for Lambda,
 * dependencies left out) is searched for requireEnv('NAME') and the callback
 * secret of api/callback.ts. A variable read but not declared would be unset
 * on AWS and offline.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { accessOf } from '../../api/access.ts';
import { repoRoot } from '../../api/bundle.ts';
import { CallbackSettings } from '../../api/callback.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';

/** Set by Lambda itself on AWS (and by local/stack.ts offline), never declared. */
const lambdaRuntimeVariables = new Set(['AWS_REGION']);

/** The function's own code, bundled and tree-shaken (dependencies left out), so only what it can run is searched. */
async function bundleOf(name: LambdaFunctionName): Promise<string> {
  const result = await build({
    entryPoints: [path.join(repoRoot, lambdaFunctions[name].entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return result.outputFiles.map((file) => file.text).join('\n');
}

/** Variables the code reads: requireEnv('X'), and the callback secret through CallbackSettings.secretVariable. */
function variablesReadIn(text: string): string[] {
  const read = [...text.matchAll(/requireEnv\d*\(\s*['"]([A-Z0-9_]+)['"]\s*\)/g)].map((match) => match[1] ?? '');
  // esbuild may rename a binding (CallbackSettings2) when names collide.
  if (/env\[CallbackSettings\d*\.secretVariable\]/.test(text)) read.push(CallbackSettings.secretVariable);
  return read;
}

describe('Function environments', () => {
  it.each(Object.keys(lambdaFunctions) as LambdaFunctionName[])('%s declares exactly the variables its code reads', async (name) => {
    // Prepare
    const bundle = await bundleOf(name);

    // Act
    const read = new Set(variablesReadIn(bundle));

    // Assess
    expect(bundle).toContain('requireEnv');
    const declared = Object.keys(accessOf(name).environment).sort();
    expect([...read].filter((variable) => !lambdaRuntimeVariables.has(variable)).sort()).toEqual(declared);
  });
});
