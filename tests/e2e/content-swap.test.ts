/**
 * One version of each upload (issue 12, finding 1): a second PUT of other
 * bytes of the same size through the same presigned URL, 5 to 1000 ms after
 * the first, while the first is being labelled, is refused with 412
 * PreconditionFailed, and the labels, the served original (Image.url) and
 * the thumbnail all describe the first bytes.
 * (The labeler's reads pinned to the event's ETag: tests/functions/label-image-pinned.test.ts.)
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Image } from '../../client-example/graphql/index.ts';
import { renderThumbnail } from '../../functions/labeler/thumbnail.ts';
import { fixture, imageWithUrls, labelcastClient } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';

const client = labelcastClient();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A JPEG of exactly `size` bytes with the same picture: a comment segment fills the difference. */
function sameSizeVariant(jpeg: Buffer, size: number): Buffer {
  const fill = size - jpeg.length - 4;
  if (fill < 0 || fill > 65_533) throw new Error(`cannot pad ${jpeg.length} bytes to ${size}`);
  return jpegVariant(jpeg, randomBytes(fill).toString('latin1'));
}

/** What a user reads about an image with the API key: its labels and the bytes Image.url and Image.thumbnailUrl serve. */
async function served(id: string) {
  const image = await imageWithUrls(id);
  const download = async (url: string | null) => {
    if (!url) throw new Error(`image ${id} (${image.status}) has no read URL`);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
  };
  return { image, original: await download(image.url), thumbnail: await download(image.thumbnailUrl) };
}

const put = (url: string, headers: readonly { name: string; value: string }[], body: Uint8Array) =>
  fetch(url, { method: 'PUT', headers: Object.fromEntries(headers.map(({ name, value }) => [name, value])), body: new Uint8Array(body) });

describe('Content swap: one version of each upload', () => {
  it.each([5, 50, 200, 500, 1000])('refuses other bytes PUT %i ms after the first; labels, original and thumbnail are the first bytes', async (delayMs) => {
    // Prepare: a cat and a coffee of the same size, bytes no other test uploaded
    const coffee = await fixture('coffee.jpg');
    const cat = sameSizeVariant(await fixture('cat.jpg'), coffee.length);
    expect(cat.length).toBe(coffee.length);
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: cat.length, fileName: 'swap.jpg' });
    const watch = client.recordEvents(ticket.imageId);
    await watch.ready;

    // Act: the cat, then the coffee through the same URL while the cat is being labelled
    const first = await put(ticket.uploadUrl, ticket.uploadHeaders, cat);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const second = await put(ticket.uploadUrl, ticket.uploadHeaders, coffee);
    const pushed: Image = await watch.first;
    watch.stop();

    // Assess: the second PUT refused; what is labelled and what is served are the cat
    expect(first.status).toBe(200);
    expect(second.status).toBe(412);
    expect(await second.text()).toContain('<Code>PreconditionFailed</Code>');
    expect(pushed.status).toBe('LABELED');
    expect(pushed.labels.map((label) => label.name)).toContain('Cat');
    const { image, original, thumbnail } = await served(ticket.imageId);
    expect(image.labels.map((label) => label.name)).toEqual(pushed.labels.map((label) => label.name));
    expect(sha256(original.bytes)).toBe(sha256(cat));
    expect(sha256(thumbnail.bytes)).toBe(sha256(await renderThumbnail(cat)));
    expect(watch.events).toHaveLength(1);
  });
});
