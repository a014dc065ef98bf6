/**
 * deleteImage removes the image, its bytes, its search entries and its catalog
 * counts; it is idempotent (NotFound after the first) and never decrements twice,
 * even when several deletes of the same image race.
 */
import { describe, expect, it } from 'vitest';
import type { Image } from '../../api/types.ts';
import { amplifyOutputs, fixture, labelcastClient, postGraphql } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';

describe('Mutation.deleteImage', () => {
  const client = labelcastClient();

  const countOf = async (name: string) =>
    (await client.labels({ prefix: name, limit: 100 })).items.find((item) => item.name === name)?.imageCount ?? 0;

  /** What a user reads with the API key: the image's presigned download URL. */
  async function downloadUrl(id: string): Promise<string> {
    const { data } = amplifyOutputs();
    const { body } = await postGraphql({ query: 'query($id: ID!) { image(id: $id) { url } }', variables: { id } }, { 'x-api-key': data.api_key! });
    const url = (body.data as { image: { url: string } | null }).image?.url;
    if (!url) throw new Error(`no url for ${id}: ${JSON.stringify(body)}`);
    return url;
  }

  const errorTypeOf = async (work: Promise<unknown>) => {
    try {
      await work;
      return undefined;
    } catch (error) {
      return (error as { errors?: { errorType?: string }[] }).errors?.[0]?.errorType;
    }
  };

  async function labelledCat(fileName: string): Promise<Image> {
    const image = await client.uploadAndWait(jpegVariant(await fixture('cat.jpg')), fileName);
    expect(image.status).toBe('LABELED');
    return image;
  }

  it('removes the object, the search entries and the counts, and answers NotFound afterwards', async () => {
    // Prepare
    const before = { cat: await countOf('Cat'), animal: await countOf('Animal') };
    const image = await labelledCat('to-delete.jpg');
    const url = await downloadUrl(image.id);
    expect((await fetch(url)).status).toBe(200);
    expect(await countOf('Cat')).toBe(before.cat + 1);

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
    expect((await fetch(url)).status).toBe(404);

    expect(await errorTypeOf(client.deleteImage(image.id))).toBe('NotFound');
    expect(await countOf('Cat')).toBe(before.cat);
  });

  it('decrements once when the same image is deleted several times at once', async () => {
    const image = await labelledCat('raced.jpg');
    const before = await countOf('Cat');

    const outcomes = await Promise.all(Array.from({ length: 4 }, () => errorTypeOf(client.deleteImage(image.id))));

    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'NotFound')).toHaveLength(3);
    expect(await countOf('Cat')).toBe(before - 1);
  });

  it('answers NotFound for an id that never existed', async () => {
    expect(await errorTypeOf(client.deleteImage('00000000-0000-4000-8000-000000000000'))).toBe('NotFound');
  });

  it('deletes a pending image that was never uploaded', async () => {
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 100 });

    const deleted = await client.deleteImage(ticket.imageId);

    expect(deleted).toMatchObject({ id: ticket.imageId, status: 'PENDING' });
    expect(await client.image(ticket.imageId)).toBeNull();
  });
});
