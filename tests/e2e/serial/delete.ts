/**
 * deleteImage removes the image, its bytes (the upload, the original the
 * labeler keeps under images/ for Image.url, the thumbnail), its search
 * entries and its catalog counts; it is idempotent (NotFound after the first)
 * and never decrements twice, even when several deletes of the same image race.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, inject, it, beforeAll } from 'vitest';
import { originalKeyFor, thumbnailKeyFor, uploadKeyFor } from '../../../api/media.ts';
import type { Image } from '../../../client-example/graphql/index.ts';
import { stackCredentials } from '../../../local/child-process-stack.ts';
import { errorTypeOf, fixture, imageWithUrls, labelcastClient, configureStackAmplify } from '../../support/amplify-client.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';

/** The bucket as the stack's own roles reach it, found from a presigned (path-style) URL. */
function bucketOf(presignedUrl: string) {
  const url = new URL(presignedUrl);
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: url.origin,
    forcePathStyle: true,
    credentials: stackCredentials(inject('stateDir')),
  });
  const bucket = decodeURIComponent(url.pathname.split('/')[1]);
  const exists = async (key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (error: { name?: string }) => {
        if (error.name === 'NotFound') return false;
        throw error;
      },
    );
  return { s3, bucket, exists };
}

describe('Mutation.deleteImage', () => {
  beforeAll(() => configureStackAmplify());
  const client = labelcastClient();

  const countOf = async (name: string) =>
    (await client.labels({ prefix: name, limit: 100 })).items.find((item) => item.name === name)?.imageCount ?? 0;

  /** What a user reads with the API key: the image's presigned download URL, null until LABELED. */
  async function readUrl(id: string): Promise<string | null> {
    return (await imageWithUrls(id)).url;
  }

  async function downloadUrl(id: string): Promise<string> {
    const url = await readUrl(id);
    if (!url) throw new Error(`no url for ${id}`);
    return url;
  }


  async function labelledCat(fileName: string, bytes?: Buffer): Promise<Image> {
    const image = await client.uploadAndWait(bytes ?? jpegVariant(await fixture('cat.jpg')), fileName);
    expect(image.status).toBe('LABELED');
    return image;
  }

  it('removes the object, the search entries and the counts, and answers NotFound afterwards', async () => {
    // Prepare
    const before = { cat: await countOf('Cat'), animal: await countOf('Animal') };
    const bytes = jpegVariant(await fixture('cat.jpg'));
    const image = await labelledCat('to-delete.jpg', bytes);
    const url = await downloadUrl(image.id);
    // Image.url serves the original the labeler kept under images/, byte for byte.
    expect(new URL(url).pathname).toMatch(new RegExp(`/${originalKeyFor(image.id)}$`));
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    const { s3, bucket, exists } = bucketOf(url);
    const kept = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: originalKeyFor(image.id) }));
    expect(kept.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await kept.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    const keys = [uploadKeyFor(image.id), originalKeyFor(image.id), thumbnailKeyFor(image.id)];
    expect(await Promise.all(keys.map(exists))).toEqual([true, true, true]);
    // Counts follow the push by a few milliseconds.
    await expect.poll(() => countOf('Cat'), { timeout: 10_000 }).toBe(before.cat + 1);

    // Act
    const deleted = await client.deleteImage(image.id);

    // Assess
    expect(deleted).toMatchObject({ id: image.id, status: 'LABELED', fileName: 'to-delete.jpg' });
    expect(await client.image(image.id)).toBeNull();
    for (const label of ['Cat', 'Animal', 'Kitten']) {
      const page = await client.imagesByLabel({ label, limit: 100 });
      expect(page.items.map((item) => item.id), label).not.toContain(image.id);
    }
    expect(await countOf('Cat')).toBe(before.cat);
    expect(await countOf('Animal')).toBe(before.animal);
    // As on AWS: the URL carries presignDownload's role, which may not list images/, so S3 answers 403, not 404.
    const gone = await fetch(url);
    expect(gone.status).toBe(403);
    expect(await gone.text()).toContain('<Code>AccessDenied</Code>');
    expect(await Promise.all(keys.map(exists))).toEqual([false, false, false]);

    expect(await errorTypeOf(client.deleteImage(image.id))).toBe('NotFound');
    expect(await countOf('Cat')).toBe(before.cat);
  });

  it('decrements once when the same image is deleted several times at once', async () => {
    const initial = await countOf('Cat');
    const image = await labelledCat('raced.jpg');
    await expect.poll(() => countOf('Cat'), { timeout: 10_000 }).toBe(initial + 1);
    const before = initial + 1;

    const outcomes = await Promise.all(Array.from({ length: 4 }, () => errorTypeOf(client.deleteImage(image.id))));

    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'NotFound')).toHaveLength(3);
    expect(await countOf('Cat')).toBe(before - 1);
  });

  it('answers NotFound for an id that never existed', async () => {
    expect(await errorTypeOf(client.deleteImage('00000000-0000-4000-8000-000000000000'))).toBe('NotFound');
  });

  it('removes what its still-valid upload URL stores after the image was deleted', async () => {
    // Prepare: a ticket whose image is deleted before anything was uploaded
    const bytes = jpegVariant(await fixture('cat.jpg'));
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    await client.deleteImage(ticket.imageId);
    const { exists } = bucketOf(ticket.uploadUrl);

    // Act: S3 cannot revoke a presigned URL, so the PUT is stored
    const headers = Object.fromEntries(ticket.uploadHeaders.map(({ name, value }) => [name, value]));
    const response = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: new Uint8Array(bytes) });

    // Assess: the labeler, finding no image for it, deletes it
    expect(response.status).toBe(200);
    await expect.poll(() => exists(uploadKeyFor(ticket.imageId)), { timeout: 20_000 }).toBe(false);
    expect(await client.image(ticket.imageId)).toBeNull();
  });

  it('deletes a pending image that was never uploaded', async () => {
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 100 });
    expect(await readUrl(ticket.imageId)).toBeNull();

    const deleted = await client.deleteImage(ticket.imageId);

    expect(deleted).toMatchObject({ id: ticket.imageId, status: 'PENDING' });
    expect(await client.image(ticket.imageId)).toBeNull();
  });
});
