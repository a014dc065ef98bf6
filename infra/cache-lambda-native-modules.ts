/**
 * Run by `npm install` (postinstall): puts the Linux arm64 builds of the
 * Lambdas' native modules into npm's cache while the registry is reachable,
 * so `cdk synth` can install them offline. Never fails the install.
 */
import { execFileSync } from 'node:child_process';
import { lambdaPlatformPackages, manifestNativeModules } from './lambda-native-modules.ts';

const packages = manifestNativeModules().flatMap(lambdaPlatformPackages);
try {
  execFileSync('npm', ['cache', 'add', ...packages], { stdio: ['ignore', 'ignore', 'pipe'] });
  console.log(`cached for Lambda (linux-arm64): ${packages.join(', ')}`);
} catch (error) {
  console.warn(`could not cache ${packages.join(', ')} for Lambda; cdk synth will fail until they are cached: ${String(error)}`);
}
