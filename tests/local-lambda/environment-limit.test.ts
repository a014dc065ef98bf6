/**
 * The local runtime creates its functions as CreateFunction does: one whose configured environment
 * (api/function-environment.ts, as local/stack.ts derives it) is past Lambda's 4 KB is refused with Lambda's
 * InvalidParameterValueException and message, before anything is built; what Lambda itself sets is not measured.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EnvironmentSource } from '../../api/access.ts';
import { configuredEnvironment } from '../../api/function-environment.ts';
import type { LambdaFunctionName } from '../../api/manifest.ts';
import { FunctionConfigurationError } from '../../local/lambda/errors.ts';
import { startLambdaRuntime } from '../../local/lambda/runtime.ts';
import { tempDirs } from '../support/temp-dirs.ts';

const freshDir = tempDirs('labelcast-lambda-env-');

/** The values local/stack.ts gives, with a table name of `tableNameBytes`. */
const localValues = (tableNameBytes: number): Record<EnvironmentSource, string> => ({
  bucketName: 'labelcast-media',
  tableName: 't'.repeat(tableNameBytes),
  graphqlUrl: 'https://127.0.0.1:4750/graphql',
  callbackSecret: 's'.repeat(64),
  imageProperties: 'false',
});

/** Lambda's own variables, far past 4 KB: the runtime's, never measured. */
const lambdaSet = (name: LambdaFunctionName) => ({ AWS_LAMBDA_FUNCTION_NAME: name, AWS_SESSION_TOKEN: 'x'.repeat(8192) });

describe("the local runtime's environment limit", () => {
  it("refuses to create a function whose configured environment is past 4,096 bytes, with Lambda's error, before building anything", () => {
    // Prepare: deleteImage's variables take 155 bytes besides the table name (3,942): 4,097 bytes
    const stateDir = freshDir();

    // Act
    let refusal: unknown;
    try {
      startLambdaRuntime({ stateDir, environment: (name) => ({ runtime: lambdaSet(name), configured: configuredEnvironment(name, localValues(3942)) }) });
    } catch (error) {
      refusal = error;
    }

    // Assess: the first function that reads the table; presignUpload, with Lambda's own variables past 4 KB, was created
    expect(refusal).toBeInstanceOf(FunctionConfigurationError);
    expect(refusal).toMatchObject({ name: 'InvalidParameterValueException', functionName: 'deleteImage', retryable: false });
    expect((refusal as Error).message).toBe(
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. ' +
        `String measured: {"NODE_OPTIONS":"--enable-source-maps","POWERTOOLS_SERVICE_NAME":"delete-image","MALLOC_ARENA_MAX":"2","IMAGES_TABLE":"${'t'.repeat(3942)}","UPLOAD_BUCKET":"labelcast-media"}`,
    );
    expect(readdirSync(stateDir)).toEqual([]);
  });
});
