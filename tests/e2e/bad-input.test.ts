/**
 * Bad input, as users send it: each malformed argument of requestUpload,
 * imagesByLabel, labels, image and deleteImage is refused with one exact
 * errorType and a message naming the argument, and no DynamoDB, Java or
 * Node internals; bad bytes are uploaded and end FAILED with a reason pushed
 * on onImageLabeled. None stays PENDING and the stack goes on labelling.
 */
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { MediaLayout } from '../../api/media.ts';
import { UploadLimits } from '../../api/limits.ts';
import { amplifyOutputs, fixture, graphqlErrors, labelcastClient, postGraphql } from '../support/amplify-client.ts';

const client = labelcastClient();

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

/** No text reaches a client with a stack frame or a path of this machine (the repo root, or any absolute path). */
function expectNoStackOrPath(message: string) {
  expect(message).not.toMatch(/\n\s+at |\bat \S+ \(|node_modules|\.ts:\d+|file:\/\/|(^|[\s('"])\/[\w.-]+\/[\w./-]+/);
  expect(message).not.toContain(repoRoot);
}

/** No GraphQL error reaches a client with DynamoDB's or AppSync's Java wording either. */
function expectNoInternals(message: string) {
  expect(message).not.toMatch(/DynamoDB|DynamoDb|Exception:|com\.amazonaws|\(Service:|Request ID|Number underflow|starting key/);
  expectNoStackOrPath(message);
}

/** The call failed with exactly one error of `errorType` whose message says `fragment` (which names the argument). */
async function expectRefused(run: () => Promise<unknown>, errorType: string, fragment: string) {
  const errors = await graphqlErrors(run);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ errorType, message: expect.stringContaining(fragment) });
  expectNoInternals(errors[0]!.message);
}

const maxSize = UploadLimits.maxSizeBytes;

describe('Bad input: refused at requestUpload, naming the argument', () => {
  it.each([
    ['zero bytes', { contentType: 'image/jpeg', sizeBytes: 0 }, 'BadRequestException', `sizeBytes must be between 1 and ${maxSize}`],
    ['a negative size', { contentType: 'image/jpeg', sizeBytes: -5 }, 'BadRequestException', `sizeBytes must be between 1 and ${maxSize}`],
    ['15 MiB + 1 byte', { contentType: 'image/jpeg', sizeBytes: maxSize + 1 }, 'PayloadTooLargeException', `sizeBytes must be between 1 and ${maxSize}`],
    ['GIF', { contentType: 'image/gif', sizeBytes: 100 }, 'UnsupportedMediaTypeException', 'contentType must be one of image/jpeg, image/png, image/webp'],
    ['TIFF', { contentType: 'image/tiff', sizeBytes: 100 }, 'UnsupportedMediaTypeException', 'contentType must be one of'],
    ['HEIC', { contentType: 'image/heic', sizeBytes: 100 }, 'UnsupportedMediaTypeException', 'contentType must be one of'],
    ['SVG', { contentType: 'image/svg+xml', sizeBytes: 100 }, 'UnsupportedMediaTypeException', 'contentType must be one of'],
    ['a text file', { contentType: 'text/plain', sizeBytes: 100 }, 'UnsupportedMediaTypeException', 'contentType must be one of'],
    ['a file name with a NUL', { contentType: 'image/jpeg', sizeBytes: 100, fileName: 'cat\u0000.jpg' }, 'BadRequestException', 'fileName must contain only printable characters'],
    ['a file name with a right-to-left override', { contentType: 'image/jpeg', sizeBytes: 100, fileName: 'photo\u202egpj.exe' }, 'BadRequestException', 'fileName must contain only printable characters'],
    ['a file name with a C1 control', { contentType: 'image/jpeg', sizeBytes: 100, fileName: 'cat\u009b31m.jpg' }, 'BadRequestException', 'fileName must contain only printable characters'],
    ['a file name with a line separator', { contentType: 'image/jpeg', sizeBytes: 100, fileName: 'cat\u2028.jpg' }, 'BadRequestException', 'fileName must contain only printable characters'],
    ['a file name that is only a path', { contentType: 'image/jpeg', sizeBytes: 100, fileName: '../..' }, 'BadRequestException', 'fileName must name a file, not a path'],
    ['a file name of 256 characters', { contentType: 'image/jpeg', sizeBytes: 100, fileName: `${'x'.repeat(252)}.jpg` }, 'BadRequestException', 'fileName is longer than 255 characters'],
    ['an http callbackUrl', { contentType: 'image/jpeg', sizeBytes: 100, callbackUrl: 'http://example.com/hook' }, 'BadRequestException', 'callbackUrl must be an https URL'],
  ])('refuses %s', async (_case, input, errorType, fragment) => {
    await expectRefused(() => client.requestUpload(input), errorType, fragment);
  });

  it('keeps only the last segment of a path-traversal file name', async () => {
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 100, fileName: '../../etc/passwd' });

    const image = await client.image(ticket.imageId);
    expect(image?.fileName).toBe('passwd');
    expect(ticket.uploadUrl).toContain(`/${MediaLayout.uploadKeyPrefix}${ticket.imageId}`);
  });

  it('keeps a file name in any script, with emoji', async () => {
    const fileName = 'Café 猫 قطة 👨‍👩‍👧.jpg';
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 100, fileName });

    expect((await client.image(ticket.imageId))?.fileName).toBe(fileName);
  });
});

describe('Bad input: query and mutation arguments, naming the argument', () => {
  it.each([
    ['limit 0', { label: 'cat', limit: 0 }, 'limit must be between 1 and 100'],
    ['limit 10,000', { label: 'cat', limit: 10_000 }, 'limit must be between 1 and 100'],
    ['a 10 KB label', { label: 'x'.repeat(10_240) }, 'label must be 1 to 100 characters'],
    ['a blank label', { label: '  ' }, 'label must be 1 to 100 characters'],
    ['a label with a bidi override', { label: 'cat\u202e' }, 'label must contain only printable characters'],
    ['minConfidence -1', { label: 'cat', minConfidence: -1 }, 'minConfidence must be between 0 and 100'],
    ['minConfidence 100.5', { label: 'cat', minConfidence: 100.5 }, 'minConfidence must be between 0 and 100'],
    ['a forged nextToken', { label: 'cat', nextToken: 'eyJ2ZXJzaW9uIjoxfQ.Zm9yZ2Vk' }, 'nextToken is not a token this query returned'],
    ['a garbage nextToken', { label: 'cat', nextToken: '%%% not a token %%%' }, 'nextToken is not a token this query returned'],
    ['a 10 KB nextToken', { label: 'cat', nextToken: 'A'.repeat(10_240) }, 'nextToken is not a token this query returned'],
  ])('imagesByLabel refuses %s with BadRequestException', async (_case, args, fragment) => {
    await expectRefused(() => client.imagesByLabel(args), 'BadRequestException', fragment);
  });

  it.each([
    ['limit 0', { limit: 0 }, 'limit must be between 1 and 100'],
    ['a 101-character prefix', { prefix: 'x'.repeat(101) }, 'prefix must be at most 100 characters'],
    ['a prefix with a C1 control', { prefix: 'ca\u0085' + 't' }, 'prefix must contain only printable characters'],
    ['a garbage nextToken', { nextToken: 'garbage' }, 'nextToken is not a token this query returned'],
    ['a forged nextToken', { nextToken: 'eyJ2ZXJzaW9uIjoxfQ.Zm9yZ2Vk' }, 'nextToken is not a token this query returned'],
  ])('labels refuses %s with BadRequestException', async (_case, args, fragment) => {
    await expectRefused(() => client.labels(args), 'BadRequestException', fragment);
  });

  it.each([
    ['5000 characters', 'a'.repeat(5000)],
    ['a path', '../images/x'],
    ['a DynamoDB key', 'IMAGE#x'],
  ])('image and deleteImage refuse an id of %s with BadRequestException', async (_case, id) => {
    await expectRefused(() => client.image(id), 'BadRequestException', 'id must be an image id');
    await expectRefused(() => client.deleteImage(id), 'BadRequestException', 'id must be an image id');
  });

  describe('with labelled images', () => {
    let catId: string;
    beforeAll(async () => {
      catId = (await client.uploadAndWait(await fixture('cat.jpg'), 'cat-for-token.jpg')).id;
      await client.uploadAndWait(await fixture('cat.png'), 'cat-for-token.png');
    }, 240_000);

    it('answers minConfidence 1e-300, below what DynamoDB can hold, as a search', async () => {
      const page = await client.imagesByLabel({ label: 'Cat', minConfidence: 1e-300, limit: 100 });

      expect(page.items.map((image) => image.id)).toContain(catId);
    });

    it("refuses a nextToken of another label's query, and of the catalog", async () => {
      const first = await client.imagesByLabel({ label: 'Cat', limit: 1 });
      expect(first.nextToken).toBeTruthy();
      const catalog = await client.labels({ limit: 1 });
      expect(catalog.nextToken).toBeTruthy();

      await expectRefused(() => client.imagesByLabel({ label: 'Person', limit: 1, nextToken: first.nextToken! }), 'BadRequestException', 'nextToken is not a token this query returned');
      await expectRefused(() => client.imagesByLabel({ label: 'Cat', minConfidence: 90, nextToken: first.nextToken! }), 'BadRequestException', 'nextToken is not a token this query returned');
      await expectRefused(() => client.labels({ nextToken: first.nextToken! }), 'BadRequestException', 'nextToken is not a token this query returned');
      await expectRefused(() => client.imagesByLabel({ label: 'Cat', nextToken: catalog.nextToken! }), 'BadRequestException', 'nextToken is not a token this query returned');
      // Its own query still takes it, and goes on after the first page.
      const second = await client.imagesByLabel({ label: 'Cat', limit: 1, nextToken: first.nextToken! });
      expect(second.items.map((image) => image.id)).not.toContain(first.items[0]!.id);
    }, 120_000);
  });

  // AppSync's answer to a body that is not a GraphQL request (graphql/graphql-over-http#81, by the AppSync team).
  it('answers a body that is not JSON with 400 MalformedHttpRequestException', async () => {
    const { data } = amplifyOutputs();
    const response = await fetch(data.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': data.api_key! },
      body: '{ "query": "{ image(id: ',
    });
    const body = (await response.json()) as { errors?: { errorType?: string; message: string }[] };

    expect(response.status).toBe(400);
    expect(body.errors).toEqual([{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }]);
  });

  it('answers a query with a syntax error with an Invalid Syntax error, no data', async () => {
    const { status, body } = await postGraphql({ query: '{ image(id: ' }, { 'x-api-key': amplifyOutputs().data.api_key! });

    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toMatch(/^Invalid Syntax : /);
    expectNoInternals(body.errors![0]!.message);
  });
});

describe('Bad input: uploaded, then FAILED with a reason and pushed', () => {
  it('fails a text file claiming image/png', async () => {
    const image = await uploadAs(Buffer.from('this is not a picture, just text\n'.repeat(10)), 'image/png', 'notes.png');

    expect(image.status).toBe('FAILED');
    expect(image.error).toMatch(/^InvalidImageFormatException: /);
    expectNoStackOrPath(image.error!);
  }, 120_000);

  it('fails a decompression bomb: a tiny PNG that decodes to 20,000 × 20,000 pixels', async () => {
    const bomb = decompressionBombPng(20_000, 20_000);
    expect(bomb.byteLength).toBeLessThan(200 * 1024);

    const image = await uploadAs(bomb, 'image/png', 'bomb.png');

    expect(image.status).toBe('FAILED');
    // Rekognition's answer for an image whose pixel count is over its limit.
    expect(image.error).toMatch(/^ImageTooLargeException: /);
    expectNoStackOrPath(image.error!);
  }, 180_000);

  it('fails a 9,999 × 9,999 WebP of 236 KB at once, naming the pixel limit, rather than decoding it out of memory', async () => {
    // Within Rekognition's 10,000 px a side, but a WebP must be converted, and libwebp decodes the whole frame:
    // this one killed the 512 MB labeler on each of its 30 attempts before the limit.
    const webp = await sharp({ create: { width: 9_999, height: 9_999, channels: 3, background: { r: 10, g: 200, b: 30 } } })
      .webp({ quality: 10 })
      .toBuffer();
    expect(webp.byteLength).toBeLessThan(300 * 1024);

    const image = await uploadAs(webp, 'image/webp', 'big.webp');

    expect(image.status).toBe('FAILED');
    // The labeler's own verdict on its first attempt, not the dead-letter queue's "failed after 30 attempts".
    expect(image.error).toBe(
      `ImageTooLargeException: image is 9999×9999 px (99,980,001 pixels); at most ${(30_000_000).toLocaleString('en-US')} pixels of a WebP are resized to fit Rekognition (image/webp is not JPEG or PNG)`,
    );
    expectNoStackOrPath(image.error!);
  }, 180_000);

  it('fails a truncated JPEG: its first third does not decode, and half a picture is not labelled', async () => {
    const whole = await fixture('cat.jpg');
    const image = await uploadAs(whole.subarray(0, Math.floor(whole.byteLength / 3)), 'image/jpeg', 'truncated.jpg');

    expect(image.status).toBe('FAILED');
    expect(image.error).toMatch(/^InvalidImageFormatException: /);
    expectNoStackOrPath(image.error!);
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
