/**
 * Fault injection in the local Rekognition: the bookkeeping, the admin
 * endpoint's validation, and the injected errors as the AWS SDK sees them
 * (class, HTTP status, and whether its retry strategy retries them).
 */
import {
  DetectLabelsCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RekognitionClient,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { FaultSpecError } from '../../local/rekognition/errors.ts';
import { FaultInjector, parseFaultSpec } from '../../local/rekognition/faults.ts';
import { faultsPath, statsPath } from '../../local/rekognition/index.ts';
import { describeEngineTests, rekognitionKeyPair, rekognitionRegion, useLocalRekognition } from '../support/local-rekognition.ts';

const operations = ['DetectLabels', 'DetectModerationLabels'];

describe('Class: FaultInjector', () => {
  it('fails the next `count` calls of the operation, then none', () => {
    // Prepare
    const faults = new FaultInjector();
    faults.set({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 2 });

    // Act
    const answers = [1, 2, 3].map(() => faults.take('DetectLabels')?.code);

    // Assess
    expect(answers).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(faults.take('DetectModerationLabels')).toBeUndefined();
    expect(faults.injected).toBe(2);
    expect(faults.list()).toEqual([]);
  });

  it('fails every call until cleared when count is omitted, and lists what is set', () => {
    const faults = new FaultInjector();
    faults.set({ operation: 'DetectLabels', errorCode: 'InternalServerError' });
    faults.set({ operation: 'DetectModerationLabels', errorCode: 'ProvisionedThroughputExceededException', count: 5 });

    for (let call = 0; call < 10; call += 1) expect(faults.take('DetectLabels')?.statusCode).toBe(500);
    const listed = faults.list();
    faults.clear();

    expect(listed).toEqual([
      { operation: 'DetectLabels', errorCode: 'InternalServerError' },
      { operation: 'DetectModerationLabels', errorCode: 'ProvisionedThroughputExceededException', count: 5 },
    ]);
    expect(faults.take('DetectLabels')).toBeUndefined();
    expect(faults.injected).toBe(10);
  });

  it('answers in Rekognition error shape: modeled code, status and Logref', () => {
    const faults = new FaultInjector();
    faults.set({ operation: 'DetectLabels', errorCode: 'ProvisionedThroughputExceededException' });

    const error = faults.take('DetectLabels');

    expect(error?.statusCode).toBe(400);
    expect(error?.body('request-1')).toEqual({
      __type: 'ProvisionedThroughputExceededException',
      Code: 'ProvisionedThroughputExceededException',
      Message: 'Provisioned rate exceeded',
      Logref: 'request-1',
    });
  });
});

describe('Function: parseFaultSpec', () => {
  it('accepts an operation, an injectable error code and an optional count', () => {
    expect(parseFaultSpec({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 3 }, operations)).toEqual({
      operation: 'DetectLabels',
      errorCode: 'ThrottlingException',
      count: 3,
    });
    expect(parseFaultSpec({ operation: 'DetectModerationLabels', errorCode: 'InternalServerError' }, operations).count).toBeUndefined();
  });

  it.each([
    [null, 'the body must be a JSON object'],
    [{ operation: 'DetectFaces', errorCode: 'ThrottlingException' }, 'operation must be one of DetectLabels, DetectModerationLabels'],
    [{ operation: 'DetectLabels', errorCode: 'InvalidParameterException' }, 'errorCode must be one of'],
    [{ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 0 }, 'count must be a positive integer'],
    [{ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 1.5 }, 'count must be a positive integer'],
    [{ operation: 'DetectLabels', errorCode: 'ThrottlingException', times: 2 }, 'unknown field(s): times'],
  ])('refuses %j', (body, message) => {
    expect(() => parseFaultSpec(body, operations)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(body, operations)).toThrow(message);
  });
});

describeEngineTests('Endpoint: PUT/DELETE /_labelcast/faults', () => {
  const adminKeyPair = { accessKeyId: 'LKIATESTREKOGNITIONADMIN', secretAccessKey: 'test-secret-for-local-rekognition-admin0' };
  // The admin may also call Rekognition; the service's other keys may not drive its hooks. Faults answer before
  // the engine runs, but a call past a fault reaches the engine, whose worker answers once the models are loaded.
  const local = useLocalRekognition({ adminKeyPair });
  const client = (maxAttempts: number) => local.newClient({ maxAttempts });
  const detect = (on: RekognitionClient) =>
    on.send(new DetectLabelsCommand({ Image: { Bytes: new Uint8Array([1, 2, 3]) } })).then(
      () => undefined,
      (error: unknown) => error as Error & { $metadata: { httpStatusCode?: number; attempts?: number } },
    );
  const hook = (path: string, method: string, body?: string, credentials = adminKeyPair) =>
    adminFetch(new URL(path, local.rekognition.endpoint), { method, body }, { credentials, region: rekognitionRegion, service: 'rekognition' });
  const setFault = (body: unknown) => hook(faultsPath, 'PUT', JSON.stringify(body));
  const stats = async () => (await (await hook(statsPath, 'GET')).json()) as Record<string, number>;

  afterEach(async () => {
    await hook(faultsPath, 'DELETE');
  });

  it('makes the SDK throw ThrottlingException with HTTP 500, and retry it', async () => {
    // Prepare
    const set = await setFault({ operation: 'DetectLabels', errorCode: 'ThrottlingException' });
    const before = await stats();

    // Act
    const once = await detect(client(1));
    const retried = await detect(client(3));

    // Assess
    expect(set.status).toBe(200);
    expect(once).toBeInstanceOf(ThrottlingException);
    expect(once?.message).toBe('Rate exceeded');
    expect(once?.$metadata.httpStatusCode).toBe(500);
    expect(retried).toBeInstanceOf(ThrottlingException);
    expect(retried?.$metadata.attempts).toBe(3);
    const after = await stats();
    expect(after.DetectLabels - before.DetectLabels).toBe(4);
    expect(after.faultsInjected - before.faultsInjected).toBe(4);
  });

  it('answers InternalServerError (500) and ProvisionedThroughputExceededException (400), both retried by the SDK', async () => {
    await setFault({ operation: 'DetectLabels', errorCode: 'InternalServerError', count: 2 });
    const internal = await detect(client(2));
    await setFault({ operation: 'DetectLabels', errorCode: 'ProvisionedThroughputExceededException', count: 2 });
    const provisioned = await detect(client(2));

    expect(internal).toBeInstanceOf(InternalServerError);
    expect(internal?.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 2 });
    expect(provisioned).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(provisioned?.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
  });

  it('stops failing once the count is used up or the faults are cleared', async () => {
    await setFault({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 1 });
    const first = await detect(client(1));
    const second = await detect(client(1));
    await setFault({ operation: 'DetectLabels', errorCode: 'InternalServerError' });
    const cleared = await hook(faultsPath, 'DELETE');
    const afterClear = await detect(client(1));

    expect(first).toBeInstanceOf(ThrottlingException);
    // Past the fault the call reaches the operation, which refuses the three bytes as an image.
    expect(second?.name).toBe('InvalidImageFormatException');
    expect(await cleared.json()).toEqual({ faults: [] });
    expect(afterClear?.name).toBe('InvalidImageFormatException');
  });

  it('refuses a bad fault with 400 and a message, and other methods with 405', async () => {
    const bad = await setFault({ operation: 'DetectLabels', errorCode: 'Teapot' });
    const notJson = await hook(faultsPath, 'PUT', '{');
    const post = await hook(faultsPath, 'POST', '{}');
    const listed = await hook(faultsPath, 'GET');

    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^errorCode must be one of ThrottlingException/);
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ message: 'the body must be JSON' });
    expect(post.status).toBe(405);
    expect(await listed.json()).toEqual({ faults: [] });
  });

  it('refuses unsigned requests and signatures by any key but the admin key pair, and changes nothing', async () => {
    // Prepare: one fault set by the admin
    await setFault({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 1 });
    const fault = JSON.stringify({ operation: 'DetectModerationLabels', errorCode: 'InternalServerError' });

    // Act
    const attempts = [
      await fetch(new URL(faultsPath, local.rekognition.endpoint), { method: 'PUT', body: fault }),
      await fetch(new URL(faultsPath, local.rekognition.endpoint), { method: 'DELETE' }),
      await fetch(new URL(statsPath, local.rekognition.endpoint)),
      await fetch(new URL(faultsPath, local.rekognition.endpoint), { method: 'PUT', body: fault, headers: { 'x-api-key': 'da2-anything' } }),
      await hook(faultsPath, 'PUT', fault, rekognitionKeyPair),
      await hook(statsPath, 'GET', undefined, rekognitionKeyPair),
      await hook(faultsPath, 'DELETE', undefined, { ...adminKeyPair, secretAccessKey: 'not-the-admin-secret-key-000000000000000' }),
    ];

    // Assess: Rekognition's signature errors, and the admin's fault still the only one
    const types = await Promise.all(attempts.map(async (response) => [response.status, ((await response.json()) as { __type: string }).__type]));
    expect(types).toEqual([
      [400, 'MissingAuthenticationTokenException'],
      [400, 'MissingAuthenticationTokenException'],
      [400, 'MissingAuthenticationTokenException'],
      [400, 'MissingAuthenticationTokenException'],
      [400, 'UnrecognizedClientException'],
      [400, 'UnrecognizedClientException'],
      [400, 'InvalidSignatureException'],
    ]);
    expect(await (await hook(faultsPath, 'GET')).json()).toEqual({ faults: [{ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 1 }] });
  });

  it('refuses a body signed for other bytes than it carries', async () => {
    // Prepare: the admin's signature over one fault…
    const url = new URL(faultsPath, local.rekognition.endpoint);
    const signer = new SignatureV4({ service: 'rekognition', region: rekognitionRegion, credentials: adminKeyPair, sha256: Sha256 });
    const request = await signer.sign({
      method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname,
      headers: { host: url.host }, body: JSON.stringify({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 1 }),
    });
    const { host: _host, ...headers } = request.headers;

    // Act: …sent with another fault as the body
    const swapped = await fetch(url, { method: 'PUT', headers, body: JSON.stringify({ operation: 'DetectLabels', errorCode: 'InternalServerError' }) });

    // Assess
    expect(swapped.status).toBe(400);
    expect(((await swapped.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
    expect(await (await hook(faultsPath, 'GET')).json()).toEqual({ faults: [] });
  });
});
