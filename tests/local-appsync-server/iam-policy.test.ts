/**
 * AWS_IAM callers are held to their policy: `appsync:GraphQL` on
 * `arn:aws:appsync:<region>:000000000000:apis/<apiId>/types/<Type>/fields/<field>`
 * for each root field. A function role that may publish does; one that may
 * not gets AppSync's Unauthorized field error, as any unauthorized caller.
 * The resolver sees the caller's principal as AppSync shows it:
 * `ctx.identity.userArn` is a function's assumed-role session ARN.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { localIdentities } from '../../local/iam/function-roles.ts';
import { fakeRuntime, labeledPublishInput, type FakeRuntime } from './fake-runtime.ts';
import { postSigned } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const admin = { accessKeyId: 'LKIAAPPSYNCENFORCE01', secretAccessKey: 'appsync-enforcement-secret-0123456789abcd' };
const identities = localIdentities(admin, { region, bucketName: 'bucket', tableName: 'table' });
const input = labeledPublishInput();
const publishMutation = `mutation Publish($input: ImageLabeledInput!) { publishImageLabeled(input: $input) { id status } }`;

describe('local AppSync, AWS_IAM with function roles', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  let runtime: FakeRuntime;
  const identityOfLastPublish = () => runtime.calls.findLast((call) => call.info.fieldName === 'publishImageLabeled')?.identity;

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-iam-', region);
    runtime = fakeRuntime();
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey: 'da2-enforcementtestkey0000000', credentials: identities.directory, runtime });
    ca = readFileSync(appsync.caPath, 'utf8');
  });
  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves a root field the role may call', async () => {
    // Act
    const response = await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input } }, { region, credentials: identities.functionCredentials.labeler });

    // Assess
    expect(response.json()).toEqual({ data: { publishImageLabeled: { id: 'img-1', status: 'LABELED' } } });
    expect(identityOfLastPublish()).toMatchObject({
      accountId: '000000000000',
      userArn: 'arn:aws:sts::000000000000:assumed-role/labelcast-labeler-role/labeler',
      username: identities.functionCredentials.labeler.accessKeyId,
    });
  });

  it("refuses a root field outside the role's policy with AppSync's Unauthorized error", async () => {
    // Act
    const response = await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input } }, { region, credentials: identities.functionCredentials.deleteImage });

    // Assess
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      data: { publishImageLabeled: null },
      errors: [
        {
          path: ['publishImageLabeled'],
          data: null,
          errorType: 'Unauthorized',
          errorInfo: null,
          locations: [{ line: 1, column: 48, sourceName: null }],
          message: 'Not Authorized to access publishImageLabeled on type Mutation',
        },
      ],
    });
  });

  it('lets the administrator call it', async () => {
    // Act
    const response = await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input } }, { region, credentials: admin });

    // Assess
    expect(response.json()).toEqual({ data: { publishImageLabeled: { id: 'img-1', status: 'LABELED' } } });
    expect(identityOfLastPublish()).toMatchObject({ userArn: 'arn:aws:iam::000000000000:root' });
  });
});
