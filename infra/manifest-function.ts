/**
 * One Lambda function from api/manifest.ts, bundled locally with esbuild (no
 * Docker): ESM, minified, with source maps of our own sources. Its role and environment come
 * from its declared access (api/access.ts, infra/function-access.ts). The AWS SDK v3 is bundled too:
 * the runtime's copy lacks some packages we use (s3-request-presigner) and
 * would differ in version from the one our tests run against.
 */
import path from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib/core';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { repoRoot } from '../api/bundle.ts';
import { functionBundleOptions } from '../api/function-bundle-options.ts';
import { environmentLimitRefusal, maxEnvironmentBytes } from '../api/function-environment.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../api/manifest.ts';
import { deployedEnvironment, grantDeclaredAccess, type FunctionTargets } from './function-access.ts';
import { offlineInstallCommand } from './lambda-native-modules.ts';

/** What esbuild takes of the shared options; ownSourcesOnly is a step after it, the afterBundling hook. */
const { ownSourcesOnly, ...esbuildOptions } = functionBundleOptions;

/**
 * Shell command for the afterBundling hook: cuts the asset's source map down to our own sources. `inputDir` is the
 * project root as the bundling sees it (projectRoot, this repo), where the script and the sources lie.
 */
const ownSourceMapCommand = (inputDir: string, outputDir: string) =>
  `node "${path.join(inputDir, 'api', 'own-source-map-command.js')}" "${inputDir}" "${outputDir}"`;

/** The Lambda runtime every function runs on; the bundle targets the same Node version. */
export const functionRuntime = Runtime.NODEJS_22_X;
const bundleTarget = 'node22';

/** How long a function's logs are kept and whether they go with the stack; shared by every function construct. */
export interface FunctionLogProps {
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** For the function's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export interface ManifestFunctionProps extends FunctionLogProps {
  /** Which api/manifest.ts function to deploy. */
  readonly name: LambdaFunctionName;
  /** The resources its access names; its environment and role are derived from them. */
  readonly targets: FunctionTargets;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The function's environment (infra/function-access.ts), or, past Lambda's limit, an error that stops the synth:
 * CloudFormation's CreateFunction would fail the deploy with it. Values known only at deploy (tokens: the
 * resources' names and URL, the callback secret) are measured as empty, so the check counts the least the
 * environment will take: the keys, the values known now and the JSON around them.
 */
function deployedEnvironmentWithinLimit(name: LambdaFunctionName, targets: FunctionTargets): Record<string, string> {
  const environment = deployedEnvironment(name, targets);
  const refusal = environmentLimitRefusal(environment, (value) => Token.isUnresolved(value));
  if (refusal) {
    const uncounted = refusal.uncounted.length > 0 ? `, ${refusal.uncounted.join(', ')} known only at deploy and not counted` : '';
    throw new Error(
      `function ${name}: its environment variables take at least ${refusal.bytes} bytes, past Lambda's ${maxEnvironmentBytes} ` +
        `(keys, values and JSON punctuation${uncounted}); the deploy would fail with InvalidParameterValueException: ${refusal.message}`,
    );
  }
  return environment;
}

export class ManifestFunction extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: ManifestFunctionProps) {
    super(scope, id);
    const spec = lambdaFunctions[props.name];
    if (!spec) throw new Error(`api/manifest.ts has no Lambda function ${String(props.name)}`);

    const nativeModules: readonly string[] = 'nativeModules' in spec ? spec.nativeModules : [];

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, spec.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      description: spec.description,
      runtime: functionRuntime,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: deployedEnvironmentWithinLimit(props.name, props.targets),
      bundling: {
        format: OutputFormat.ESM,
        target: bundleTarget,
        // Minified, a source map without the sources' text, the require() shim: as the offline stack builds them
        // (the map cut down to our own sources after, by the afterBundling hook).
        ...esbuildOptions,
        mainFields: [...esbuildOptions.mainFields],
        externalModules: [...nativeModules],
        logLevel: LogLevel.WARNING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            // The map with our own sources only, as the offline build cuts it (api/own-source-map.js).
            ...(ownSourcesOnly && esbuildOptions.sourceMap ? [ownSourceMapCommand(inputDir, outputDir)] : []),
            ...nativeModules.map((name) => offlineInstallCommand(outputDir, name)),
          ],
        },
      },
    });
    grantDeclaredAccess(this.function, props.name, props.targets);
  }
}
