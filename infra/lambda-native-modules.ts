/**
 * Native packages a Lambda needs (sharp) ship per-platform binaries, so they
 * are installed for Lambda's platform (Linux arm64, glibc) beside the bundle
 * rather than bundled. `npm install` caches those packages (see
 * cache-lambda-native-modules.ts), so the install during `cdk synth` runs
 * with --offline and synth needs no network.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { lambdaFunctions } from '../api/manifest.ts';

interface PackageJson {
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

const installed = (name: string): PackageJson =>
  JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as PackageJson;

/** Optional dependencies that are the Linux arm64 glibc build. */
const isLambdaPlatformPackage = (name: string) => name.includes('linux-arm64') && !name.includes('musl');

/** Every native module some function of the manifest declares. */
export const manifestNativeModules = (): string[] => [
  ...new Set(Object.values(lambdaFunctions).flatMap((spec) => ('nativeModules' in spec ? [...spec.nativeModules] : []))),
];

/** `name@version` of a native module, its dependencies and its Lambda-platform binaries, at the installed versions. */
export function lambdaPlatformPackages(name: string): string[] {
  const manifest = installed(name);
  const dependencies = Object.keys(manifest.dependencies ?? {}).map((dependency) => `${dependency}@${installed(dependency).version}`);
  const binaries = Object.entries(manifest.optionalDependencies ?? {})
    .filter(([dependency]) => isLambdaPlatformPackage(dependency))
    .map(([dependency, version]) => `${dependency}@${version}`);
  return [`${name}@${manifest.version}`, ...dependencies, ...binaries];
}

/** Shell command for a bundling hook: installs the module for Lambda's platform into the asset, from npm's cache only. */
export function offlineInstallCommand(outputDir: string, name: string): string {
  const { version } = installed(name);
  const hint = `labelcast: ${name} for linux-arm64 is not in npm's cache; run npm install (it caches it) and synth again`;
  // The package.json and --prefix keep npm in the asset: without them it would climb to the repo's node_modules.
  return [
    `cd "${outputDir}"`,
    `echo '{"private":true}' > package.json`,
    `{ npm install --offline --prefix "${outputDir}" --no-save --no-package-lock --no-audit --no-fund --loglevel=error --os=linux --cpu=arm64 --libc=glibc ${name}@${version} || { echo "${hint}" >&2; exit 1; }; }`,
    'rm package.json',
  ].join(' && ');
}
