/**
 * Bad input, as users send it: each case is refused at requestUpload with a
 * specific errorType, or uploaded and ends FAILED with a reason pushed on
 * onImageLabeled. None stays PENDING and the stack goes on labelling.
 */
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UploadLimits } from '../../api/limits.ts';
import { fixture, labelcastClient, postGraphql } from '../support/amplify-client.ts';

const client = labelcastClient();

/** The GraphQL errors of an operation that must fail, as the client sees them. */
async function graphqlErrors(run: () => Promise<unknown>): Promise<{ errorType?: string; message: string }[]> {
  try {
    await run();
  } catch (error) {
    const errors = (error as { errors?: { errorType?: string; message: string }[] }).errors;
    if (errors?.length) return errors;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

/** Upload `bytes` declared as `contentType` and wait for the pushed event. */
async function uploadAs(bytes: Buffer, contentType: string, fileName: string) {
  const ticket = await client.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName });
  const { ready, labeled } = client.watchImage(ticket.imageId, 120_000);
  await ready;
  await client.upload(ticket, bytes);
  return labeled;
}

/**
 * A valid 1-bit greyscale PNG of width × height black pixels: all-zero rows
 * deflate about 1000:1, so 400 megapixels fit in some 50 KB.
 */
function decompressionBombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.byteLength);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8))); // filter byte 0 then zero pixels, each row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** No error reaches a client with a stack trace or a path inside the service. */
const leaksNothing = (message: string) => expect(message).not.toMatch(/\n\s+at |\/work\/|node_modules|\.ts:\d+/);

describe('Bad input: refused at requestUpload', () => {
  it.each([
    ['zero bytes', { contentType: 'image/jpeg', sizeBytes: 0 }, 'PayloadTooLargeException'],
    ['a negative size', { contentType: 'image/jpeg', sizeBytes: -5 }, 'PayloadTooLargeException'],
    ['15 MiB + 1 byte', { contentType: 'image/jpeg', sizeBytes: UploadLimits.maxSizeBytes + 1 }, 'PayloadTooLargeException'],
    ['GIF', { contentType: 'image/gif', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    ['TIFF', { contentType: 'image/tiff', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    ['HEIC', { contentType: 'image/heic', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    ['SVG', { contentType: 'image/svg+xml', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    ['a text file', { contentType: 'text/plain', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    ['a file name with control characters', { contentType: 'image/jpeg', sizeBytes: 100, fileName: 'cat\u0000.jpg' }, 'BadRequestException'],
    ['a file name that is only a path', { contentType: 'image/jpeg', sizeBytes: 100, fileName: '../..' }, 'BadRequestException'],
  ])('refuses %s', async (_case, input, errorType) => {
    const errors = await graphqlErrors(() => client.requestUpload(input));

    expect(errors[0]?.errorType).toBe(errorType);
    leaksNothing(errors[0]!.message);
  });

  it('keeps only the last segment of a path-traversal file name', async () => {
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 100, fileName: '../../etc/passwd' });

    const image = await client.image(ticket.imageId);
    expect(image?.fileName).toBe('passwd');
    expect(ticket.uploadUrl).toContain(`/${UploadLimits.keyPrefix}${ticket.imageId}`);
  });
});

describe('Bad input: GraphQL arguments out of range', () => {
  it.each([
    ['limit 0', { label: 'cat', limit: 0 }],
    ['limit 10,000', { label: 'cat', limit: 10_000 }],
    ['a 10 KB label', { label: 'x'.repeat(10_240) }],
    ['a forged nextToken', { label: 'cat', nextToken: 'eyJ2ZXJzaW9uIjoxfQ.Zm9yZ2Vk' }],
  ])('refuses %s with an errorType', async (_case, args) => {
    const errors = await graphqlErrors(() => client.imagesByLabel(args));

    expect(errors[0]?.errorType).toBeTruthy();
    leaksNothing(errors[0]!.message);
  });

  it('refuses a nextToken from another query, or answers that query\'s own next page', async () => {
    const cat = await client.uploadAndWait(await fixture('cat.jpg'), 'cat-for-token.jpg');
    await client.uploadAndWait(await fixture('cat.png'), 'cat-for-token.png');
    const first = await client.imagesByLabel({ label: 'Cat', limit: 1 });
    expect(first.nextToken).toBeTruthy();

    const outcome = await client.imagesByLabel({ label: 'Person', limit: 1, nextToken: first.nextToken! }).then(
      (page) => ({ page }),
      (error: { errors?: { errorType?: string; message: string }[] }) => ({ errors: error.errors ?? [] }),
    );

    // Either refused, or the foreign key only positions the Person query: never another label's images.
    if ('errors' in outcome) {
      expect(outcome.errors[0]?.errorType).toBeTruthy();
      leaksNothing(outcome.errors[0]!.message);
    } else {
      expect(outcome.page.items.map((image) => image.id)).not.toContain(cat.id);
    }
  }, 120_000);

  it('answers a malformed request body with an error, not a crash', async () => {
    const { status, body } = await postGraphql({ query: '{ image(id: ' }, { 'x-api-key': 'wrong' });

    expect(status).toBeGreaterThanOrEqual(400);
    expect(body.errors?.[0]?.errorType).toBeTruthy();
  });
});

describe('Bad input: uploaded, then FAILED with a reason and pushed', () => {
  it('fails a text file claiming image/png', async () => {
    const image = await uploadAs(Buffer.from('this is not a picture, just text\n'.repeat(10)), 'image/png', 'notes.png');

    expect(image.status).toBe('FAILED');
    expect(image.error).toMatch(/InvalidImageFormat/);
  }, 120_000);

  it('fails a decompression bomb: a tiny PNG that decodes to 20,000 × 20,000 pixels', async () => {
    const bomb = decompressionBombPng(20_000, 20_000);
    expect(bomb.byteLength).toBeLessThan(200 * 1024);

    const image = await uploadAs(bomb, 'image/png', 'bomb.png');

    expect(image.status).toBe('FAILED');
    expect(image.error).toMatch(/ImageTooLarge|InvalidImageFormat/);
  }, 180_000);

  it('ends a truncated JPEG LABELED or FAILED with a reason', async () => {
    const whole = await fixture('cat.jpg');
    const image = await uploadAs(whole.subarray(0, Math.floor(whole.byteLength / 3)), 'image/jpeg', 'truncated.jpg');

    expect(['LABELED', 'FAILED']).toContain(image.status);
    if (image.status === 'FAILED') expect(image.error).toMatch(/InvalidImageFormat/);
  }, 120_000);

  it('labels a PNG declared as image/jpeg by its bytes, as Rekognition does', async () => {
    const image = await uploadAs(await fixture('cat.png'), 'image/jpeg', 'png-as.jpg');

    expect(image.status).toBe('LABELED');
    expect(image.labels.map((label) => label.name)).toContain('Cat');
  }, 120_000);

  it('goes on labelling after all of the above', async () => {
    const image = await client.uploadAndWait(await fixture('astronaut.jpg'), 'after-bad-input.jpg');

    expect(image.status).toBe('LABELED');
  }, 120_000);
});
