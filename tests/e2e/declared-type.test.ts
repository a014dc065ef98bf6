/**
 * The bytes decide the type (issue 12, finding 9.3): a JPEG uploaded as
 * image/png (the presigned PUT binds the declared type, not the bytes) is
 * labelled as a JPEG and kept and served as image/jpeg, and Image.contentType
 * says so once it is LABELED.
 */
import { describe, expect, it } from 'vitest';
import { fixture, imageWithUrls, labelcastClient } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';

const client = labelcastClient();

describe('Declared type against the bytes', () => {
  it('labels a JPEG declared image/png and serves it as image/jpeg', async () => {
    // Prepare
    const jpeg = jpegVariant(await fixture('cat.jpg'));
    const ticket = await client.requestUpload({ contentType: 'image/png', sizeBytes: jpeg.length, fileName: 'really-a.jpg' });
    const watch = client.watchImage(ticket.imageId);
    await watch.ready;

    // Act
    await client.upload(ticket, jpeg);
    const pushed = await watch.labeled;

    // Assess
    expect(pushed).toMatchObject({ status: 'LABELED', contentType: 'image/jpeg' });
    expect(pushed.labels.map((label) => label.name)).toContain('Cat');
    const image = await imageWithUrls(ticket.imageId);
    expect(image.contentType).toBe('image/jpeg');
    const served = await fetch(image.url!);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer()).equals(jpeg)).toBe(true);
  });
});
