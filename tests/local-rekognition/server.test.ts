/**
 * Drives the local Rekognition with the real AWS SDK client, real models and
 * the fixture photos.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  type DetectLabelsCommandInput,
  type Label,
} from '@aws-sdk/client-rekognition';
import { expect, it } from 'vitest';
import { describeEngineTests, rekognitionKeyPair, useLocalRekognition } from '../support/local-rekognition.ts';
import { postOversizedBody } from '../support/oversized-post.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const bucket = 'fixtures';

const local = useLocalRekognition({
  readObject: async (bucketName, key) => (bucketName === bucket ? readFile(path.join(fixtures, path.basename(key))).catch(() => undefined) : undefined),
});

const fromS3 = (name: string): DetectLabelsCommandInput['Image'] => ({ S3Object: { Bucket: bucket, Name: name } });
const fromBytes = async (name: string): Promise<DetectLabelsCommandInput['Image']> => ({ Bytes: await readFile(path.join(fixtures, name)) });
const named = (labels: Label[] | undefined, name: string) => labels?.find((label) => label.Name === name);
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });

describeEngineTests('DetectLabels', () => {
  it('labels the cat photo Cat, with Pet, Mammal and Animal as parents and as labels', async () => {
    const { Labels, LabelModelVersion } = await local.client.send(new DetectLabelsCommand({ Image: await fromBytes('cat.jpg') }));
    expect(LabelModelVersion).toBe('3.0');
    const cat = named(Labels, 'Cat');
    expect(cat).toBeDefined();
    expect(cat?.Confidence).toBeGreaterThan(55);
    expect(cat?.Parents?.map((parent) => parent.Name)).toEqual(expect.arrayContaining(['Animal', 'Mammal', 'Pet']));
    expect(cat?.Categories).toEqual([{ Name: 'Animals and Pets' }]);
    const instance = cat?.Instances?.[0];
    expect(Object.keys(instance?.BoundingBox ?? {}).sort()).toEqual(['Height', 'Left', 'Top', 'Width']);
    for (const ratio of Object.values(instance?.BoundingBox ?? {})) {
      expect(ratio).toBeGreaterThanOrEqual(0);
      expect(ratio).toBeLessThanOrEqual(1);
    }
    expect(named(Labels, 'Animal')?.Confidence).toBe(cat?.Confidence);
    expect(named(Labels, 'Dog')).toBeUndefined();
    expect(named(Labels, 'Person')).toBeUndefined();
  });

  it('labels the astronaut Person (read from S3) and finds no cat', async () => {
    const { Labels } = await local.client.send(new DetectLabelsCommand({ Image: fromS3('astronaut.jpg') }));
    expect(named(Labels, 'Person')?.Confidence).toBeGreaterThan(55);
    expect(named(Labels, 'Cat')).toBeUndefined();
    expect(named(Labels, 'Animal')).toBeUndefined();
  });

  it('labels the coffee photo Cup, and the PNG cat like the JPEG one', async () => {
    const coffee = await local.client.send(new DetectLabelsCommand({ Image: fromS3('coffee.jpg') }));
    expect(named(coffee.Labels, 'Cup')).toBeDefined();
    const catPng = await local.client.send(new DetectLabelsCommand({ Image: fromS3('cat.png') }));
    expect(named(catPng.Labels, 'Cat')).toBeDefined();
  });

  it('honours MaxLabels, MinConfidence and the GeneralLabels filters', async () => {
    const image = await fromBytes('cat.jpg');
    expect((await local.client.send(new DetectLabelsCommand({ Image: image, MaxLabels: 1 }))).Labels).toHaveLength(1);
    expect((await local.client.send(new DetectLabelsCommand({ Image: image, MinConfidence: 99.95 }))).Labels).toEqual([]);
    const filtered = await local.client.send(
      new DetectLabelsCommand({ Image: image, Features: ['GENERAL_LABELS'], Settings: { GeneralLabels: { LabelInclusionFilters: ['Cat'] } } }),
    );
    expect(filtered.Labels?.map((label) => label.Name)).toEqual(['Cat']);
  });

  it('refuses what is not a JPEG or PNG with InvalidImageFormatException', async () => {
    const error = await errorOf(local.client.send(new DetectLabelsCommand({ Image: { Bytes: Buffer.from('GIF89a this is not really an image') } })));
    expect(error?.name).toBe('InvalidImageFormatException');
    expect(error?.message).toBe('Request has invalid image format');
    expect(error?.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers a missing S3 object with InvalidS3ObjectException and a bad parameter with InvalidParameterException', async () => {
    expect((await errorOf(local.client.send(new DetectLabelsCommand({ Image: fromS3('missing.jpg') }))))?.name).toBe('InvalidS3ObjectException');
    expect((await errorOf(local.client.send(new DetectLabelsCommand({ Image: await fromBytes('cat.jpg'), MinConfidence: 101 }))))?.name).toBe('InvalidParameterException');
  });

  it('refuses images over 5 MB (5,000,000 bytes) as bytes with ImageTooLargeException', async () => {
    const big = Buffer.alloc(5_000_001, 0xff);
    expect((await errorOf(local.client.send(new DetectLabelsCommand({ Image: { Bytes: big } }))))?.name).toBe('ImageTooLargeException');
  });

  it('refuses a wrong secret and an unknown access key', async () => {
    const wrongSecret = local.newClient({ credentials: { ...rekognitionKeyPair, secretAccessKey: 'not-the-secret' } });
    const unknownKey = local.newClient({ credentials: { ...rekognitionKeyPair, accessKeyId: 'LKIAUNKNOWN000000000' } });
    const image = fromS3('cat.jpg');
    expect((await errorOf(wrongSecret.send(new DetectLabelsCommand({ Image: image }))))?.name).toBe('InvalidSignatureException');
    expect((await errorOf(unknownKey.send(new DetectLabelsCommand({ Image: image }))))?.name).toBe('UnrecognizedClientException');
  });

  it('answers an unsigned request in the JSON 1.1 error shape', async () => {
    const response = await fetch(local.rekognition.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'RekognitionService.DetectLabels' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({ __type: 'MissingAuthenticationTokenException', Message: 'Missing Authentication Token' });
  });

  it('answers a 20 MB body streamed past its 8 MB limit, and keeps serving', async () => {
    // Act: reading past the limit destroys the request, and Node then sets request.socket to null; asking it whether
    // the client went away threw in the error path, and the unhandled rejection ended the whole stack
    const endpoint = new URL(local.rekognition.endpoint);
    const status = await postOversizedBody(endpoint, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RekognitionService.DetectLabels' });

    // Assess
    expect(status).toBe(400);
    await expect(errorOf(local.client.send(new DetectLabelsCommand({ Image: await fromBytes('cat.jpg') })))).resolves.toBeUndefined();
  });
});

describeEngineTests('DetectModerationLabels', () => {
  it('finds nothing to moderate in the fixture photos', async () => {
    for (const name of ['cat.jpg', 'astronaut.jpg', 'coffee.jpg']) {
      const result = await local.client.send(new DetectModerationLabelsCommand({ Image: fromS3(name) }));
      expect(result.ModerationModelVersion).toBe('7.0');
      expect(result.ModerationLabels, name).toEqual([]);
    }
  });

  it('asks the second nsfwjs model, loaded on this first need, when the first finds an ordinary photo suspect, and flags nothing', async () => {
    // Prepare: MobileNetV2 gives this dolphin Porn 0.30, over its gate of 0.3 (engine/moderation-classifier.ts);
    // MobileNetV2Mid 0.21, and the detector finds no person.
    const dolphin = await readFile(path.join(fixtures, 'eval/gc-erase-dolphin.jpg'));

    // Act
    const analysis = await local.engine.analyze(dolphin, { objects: false, moderation: true });
    const answer = await local.client.send(new DetectModerationLabelsCommand({ Image: { Bytes: dolphin } }));

    // Assess: the second model's five probabilities, summing to 1 as a loaded model's do
    const second = analysis.nsfw?.second;
    expect(second).toBeDefined();
    expect(Object.values(second ?? {}).reduce((sum, probability) => sum + probability, 0)).toBeCloseTo(1, 2);
    expect(answer.ModerationLabels).toEqual([]);
  });

  it('reports no moderation label on an ordinary photo even at MinConfidence 0 (a label needs both nsfwjs models and a person)', async () => {
    const result = await local.client.send(new DetectModerationLabelsCommand({ Image: await fromBytes('cat.jpg'), MinConfidence: 0 }));
    expect(result.ModerationLabels).toEqual([]);
  });
});
