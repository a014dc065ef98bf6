/**
 * Lambda's 4 KB limit on a function's environment, checked where the deployed environment is derived
 * (infra/manifest-function.ts): a function over it stops the synth with a clear message, as its deploy would fail;
 * today's functions fit. Values known only at deploy (tokens) are measured as empty.
 */
import { App, Stack } from 'aws-cdk-lib/core';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { environmentLimitRefusal } from '../../api/function-environment.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { ManifestFunction } from '../../infra/manifest-function.ts';
import { Stage } from '../../infra/stage.ts';
import { inScratchOutdir, noBundling, synthStage } from './synth.ts';

type Resources = Record<string, { Type: string; Properties?: { Environment?: { Variables: Record<string, unknown> }; Description?: string } }>;

/**
 * A deleteImage function (bucket and table names in its environment) in a stack of its own, without bundling; the
 * bucket named by a literal, or a bucket of the stack, whose name is known only at deploy.
 */
function deleteImageWith(tableName: string, bucketName: 'literal' | 'deploy-time' = 'literal'): void {
  inScratchOutdir((outdir) => {
    const stack = new Stack(new App({ outdir, context: noBundling }), 'EnvironmentLimit');
    const bucket = bucketName === 'literal' ? Bucket.fromBucketName(stack, 'Bucket', 'labelcast-media') : new Bucket(stack, 'Bucket');
    new ManifestFunction(stack, 'DeleteImage', { name: 'deleteImage', targets: { bucket, table: Table.fromTableName(stack, 'Table', tableName) } });
  });
}

describe("Lambda's environment limit", () => {
  it("stops the synth of a function whose environment is past 4,096 bytes, with Lambda's message", () => {
    // Prepare: {"NODE_OPTIONS":…,"IMAGES_TABLE":"<name>","UPLOAD_BUCKET":"labelcast-media"} is 155 bytes and the
    // table name's, a literal here: 4,096 bytes in all with a name of 3,941, one more with 3,942
    const fits = 't'.repeat(3941);
    const past = 't'.repeat(3942);

    // Act
    const refusal = () => deleteImageWith(past);

    // Assess
    expect(() => deleteImageWith(fits)).not.toThrow();
    expect(refusal).toThrow(/^function deleteImage: its environment variables take at least 4097 bytes, past Lambda's 4096 \(keys, values and JSON punctuation\)/);
    expect(refusal).toThrow(
      'the deploy would fail with InvalidParameterValueException: Lambda was unable to configure your environment variables because the environment ' +
        'variables you have provided exceeded the 4KB limit. String measured: {"NODE_OPTIONS":"--enable-source-maps","POWERTOOLS_SERVICE_NAME":"delete-image"',
    );
  });

  it('measures a value known only at deploy as empty, and says so', () => {
    // Act: the bucket's name ("labelcast-media", 15 bytes, before) is a token now
    const refusal = () => deleteImageWith('t'.repeat(3957), 'deploy-time');

    // Assess: the table name may be 15 bytes longer than beside the literal name
    expect(() => deleteImageWith('t'.repeat(3956), 'deploy-time')).not.toThrow();
    expect(refusal).toThrow("take at least 4097 bytes, past Lambda's 4096 (keys, values and JSON punctuation, UPLOAD_BUCKET known only at deploy and not counted)");
    expect(refusal).toThrow(/String measured: \{.*"UPLOAD_BUCKET":""\}$/);
  });

  it.each(Object.keys(lambdaFunctions) as LambdaFunctionName[])('%s: its synthesized environment fits, deploy-time values not counted', (name) => {
    // Prepare
    const { template } = synthStage(Stage.PROD);
    const resources = template.toJSON().Resources as Resources;
    const fn = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Description === lambdaFunctions[name].description,
    );
    const variables = fn?.Properties?.Environment?.Variables ?? {};

    // Act: a CloudFormation intrinsic (Ref, GetAtt, a dynamic reference's Join) is a deploy-time value
    const literal = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : '']));

    // Assess
    expect(Object.keys(variables).length).toBeGreaterThan(2);
    expect(environmentLimitRefusal(literal)).toBeUndefined();
  });
});
