/**
 * Publish → subscribe through the real APPSYNC_JS runtime (local/appsync/resolvers):
 * the labeler's exact mutation, SigV4-signed, fans out to amplify subscribers
 * through Subscription.onImageLabeled's enhanced filter. Both resolvers use
 * the NONE data source, so no DynamoDB is needed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicImage, type Image } from '../../api/types.ts';
import { publishImageLabeledMutation } from '../../functions/shared/appsync-publisher.ts';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { createResolverRuntime, type LocalResolverRuntime } from '../../local/appsync/resolvers/index.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startAmplifyProcess, type AmplifyProcess } from './amplify-process.ts';
import { postSigned } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-realruntimetestkey000000';
const credentials = { accessKeyId: 'LKIAREALRUNTIMETEST0', secretAccessKey: 'local/real/runtime/secret/0123456789abcdef' };

describe('local AppSync with the real resolver runtime', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let runtime: LocalResolverRuntime;
  let amplify: AmplifyProcess;
  let ca: string;

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-real-', region);
    runtime = createResolverRuntime({
      dynamoDb: { endpoint: 'http://127.0.0.1:9', region, credentials },
      tableNames: { imagesTable: 'unused' },
      invokeLambda: () => Promise.reject(new Error('no Lambda in this test')),
      tokenSecret: 'test-secret',
    });
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime });
    ca = readFileSync(appsync.caPath, 'utf8');
    amplify = await startAmplifyProcess(appsync.caPath);
    expect(await amplify.call('configure', { endpoint: appsync.graphqlUrl, region, apiKey })).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await amplify?.stop();
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('delivers the labeler’s publish to the subscriber of that image only', async () => {
    const subscription = 'subscription S($imageId: ID) { onImageLabeled(imageId: $imageId) { id status labels { name confidence } } }';
    expect(await amplify.call('subscribe', { name: 'a', query: subscription, variables: { imageId: 'image-a' } })).toMatchObject({ ok: true });
    expect(await amplify.call('subscribe', { name: 'b', query: subscription, variables: { imageId: 'image-b' } })).toMatchObject({ ok: true });

    const image = {
      id: 'image-a',
      status: 'LABELED',
      contentType: 'image/png',
      sizeBytes: 100,
      fileName: 'a.png',
      createdAt: '2024-05-01T10:00:00.000Z',
      labeledAt: '2024-05-01T10:00:02.000Z',
      labels: [{ name: 'Cat', confidence: 97.5, parents: ['Animal'], categories: ['Animals and Pets'], instances: [] }],
      moderationLabels: [],
    } as unknown as Image;
    const response = await postSigned(
      appsync.graphqlUrl,
      ca,
      { query: publishImageLabeledMutation, variables: { input: toPublicImage(image) } },
      { region, credentials },
    );
    expect(response.status, response.body).toBe(200);
    expect(response.json()).toMatchObject({ data: { publishImageLabeled: { id: 'image-a', status: 'LABELED' } } });

    expect(await amplify.nextEvent('a', 5000)).toEqual({
      event: 'next',
      name: 'a',
      value: { data: { onImageLabeled: { id: 'image-a', status: 'LABELED', labels: [{ name: 'Cat', confidence: 97.5 }] } } },
    });
    expect(await amplify.nextEvent('b', 1500)).toBeUndefined();
  });
});
