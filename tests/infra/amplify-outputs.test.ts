import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { stackOutputsFrom, toAmplifyOutputs } from '../../infra/amplify-outputs.ts';
import { StackOutput } from '../../infra/stack-outputs.ts';

const deployed = {
  [StackOutput.graphqlUrl]: 'https://abc123.appsync-api.eu-west-1.amazonaws.com/graphql',
  [StackOutput.apiKey]: 'da2-examplekey',
  [StackOutput.region]: 'eu-west-1',
  [StackOutput.userPoolId]: 'eu-west-1_Example',
  [StackOutput.userPoolClientId]: 'exampleclientid',
  [StackOutput.uploadBucketName]: 'labelcast-dev-uploads',
  [StackOutput.imagesTableName]: 'labelcast-dev-images',
  [StackOutput.labelerDeadLetterQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
};

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-amplify-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('Function: toAmplifyOutputs', () => {
  it('writes Amplify Gen 2 data and auth sections', () => {
    expect(toAmplifyOutputs(deployed)).toEqual({
      version: '1.3',
      auth: {
        aws_region: 'eu-west-1',
        user_pool_id: 'eu-west-1_Example',
        user_pool_client_id: 'exampleclientid',
        username_attributes: ['email'],
        standard_required_attributes: ['email'],
        user_verification_types: ['email'],
        password_policy: { min_length: 12, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: false },
      },
      data: {
        url: deployed.GraphqlUrl,
        aws_region: 'eu-west-1',
        api_key: 'da2-examplekey',
        default_authorization_type: 'API_KEY',
        authorization_types: ['AWS_IAM', 'AMAZON_COGNITO_USER_POOLS'],
      },
    });
  });

  it('names a missing output', () => {
    const { ApiKey: _, ...withoutKey } = deployed;
    expect(() => toAmplifyOutputs(withoutKey)).toThrow(/ApiKey is missing/);
  });
});

describe('Function: stackOutputsFrom', () => {
  it('takes the only stack, or the named one', () => {
    expect(stackOutputsFrom({ 'labelcast-dev': deployed })).toBe(deployed);
    expect(stackOutputsFrom({ 'labelcast-dev': {}, 'labelcast-prod': deployed }, 'labelcast-prod')).toBe(deployed);
  });

  it('refuses an ambiguous or unknown stack', () => {
    expect(() => stackOutputsFrom({ a: deployed, b: deployed })).toThrow(/2 stacks/);
    expect(() => stackOutputsFrom({ a: deployed }, 'b')).toThrow(/no stack b/);
  });
});

describe('script: infra/outputs-to-amplify.ts', () => {
  it('turns a cdk outputs file into amplify_outputs.json', async () => {
    // Arrange
    const input = path.join(workDir, 'cdk-outputs.json');
    const output = path.join(workDir, 'amplify_outputs.json');
    writeFileSync(input, JSON.stringify({ 'labelcast-dev': deployed }));

    // Act
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'infra/outputs-to-amplify.ts'), input, output],
      { cwd: repoRoot, timeout: 30_000 },
    );

    // Assess
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual(toAmplifyOutputs(deployed));
  });
});
