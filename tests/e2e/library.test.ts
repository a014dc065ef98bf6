/**
 * Query.images: a caller's library, whatever each image's status (a ticket
 * never uploaded stays PENDING, unreadable bytes end FAILED), newest first by
 * createdAt, page by page through nextToken, and never anyone else's. Bad
 * limits and tokens are refused with a message naming the argument. Two
 * fresh users of the local user pool keep the library exact: nothing else in
 * the run uploads as them.
 */
import { inject, beforeAll, describe, expect, it } from 'vitest';
import type { Image } from '../../client-example/graphql/index.ts';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import { fixture, graphqlErrors } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { mintUser, switchableTokenProvider, type PoolUser } from '../support/user-pool.ts';

const tokens = switchableTokenProvider();
configureAmplify(inject('outputsPath'), { Auth: { tokenProvider: tokens } });
const asUser = new LabelcastClient({ authMode: 'userPool' });
const withApiKey = new LabelcastClient();

/** Exactly one error of `errorType`, saying `message`, with none of DynamoDB's or AppSync's own words. */
async function expectRefused(run: () => Promise<unknown>, errorType: string, message: string) {
  const errors = await graphqlErrors(run);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ errorType, message });
  expect(errors[0]!.message).not.toMatch(/DynamoDB|DynamoDb|Exception:|com\.amazonaws|\(Service:|starting key/);
}

/** Uploads `bytes` declared as `contentType` and waits for the pushed terminal image. */
async function uploadAs(bytes: Uint8Array, contentType: string, fileName: string): Promise<Image> {
  const ticket = await asUser.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName });
  const { ready, labeled } = asUser.watchImage(ticket.imageId, 120_000);
  await ready;
  await asUser.upload(ticket, bytes);
  return labeled;
}

/** Every page of the caller's library at `limit` a page, in order, and how many pages it took. */
async function wholeLibrary(limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await asUser.images({ limit, nextToken });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((image) => image.id));
    nextToken = page.nextToken ?? undefined;
    pages += 1;
  } while (nextToken && pages < 20);
  return { ids, pages };
}

describe("Query.images: the caller's library, newest first", () => {
  let alice: PoolUser;
  let bob: PoolUser;
  let failed: Image;
  let labeled: Image;
  let pendingId: string;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([mintUser(), mintUser()]);
    // Prepare: Alice's images, oldest first: one FAILED, one LABELED, one ticket never uploaded.
    tokens.signIn(alice);
    failed = await uploadAs(Buffer.from('not a picture, just text\n'.repeat(10)), 'image/png', 'notes.png');
    labeled = await uploadAs(jpegVariant(await fixture('cat.jpg')), 'image/jpeg', 'cat.jpg');
    pendingId = (await asUser.requestUpload({ contentType: 'image/jpeg', sizeBytes: 1234, fileName: 'later.jpg' })).imageId;
  }, 240_000);

  it('lists PENDING, LABELED and FAILED images, newest first, with their fields', async () => {
    tokens.signIn(alice);

    const page = await asUser.images({ limit: 100 });

    expect(failed.status).toBe('FAILED');
    expect(labeled.status).toBe('LABELED');
    expect(page.items.map((image) => [image.id, image.status])).toEqual([
      [pendingId, 'PENDING'],
      [labeled.id, 'LABELED'],
      [failed.id, 'FAILED'],
    ]);
    expect(page.nextToken).toBeNull();
    const [pending, cat, notes] = page.items;
    expect(pending).toMatchObject({ fileName: 'later.jpg', sizeBytes: 1234, labels: [], owner: alice.sub });
    expect(cat).toEqual(labeled);
    expect(notes).toMatchObject({ fileName: 'notes.png', error: failed.error, owner: alice.sub });
    const createdAt = page.items.map((image) => Date.parse(image.createdAt));
    expect(createdAt).toEqual([...createdAt].sort((a, b) => b - a));
  });

  it('pages through nextToken, one image a page, without repeats or gaps', async () => {
    tokens.signIn(alice);

    const byOne = await wholeLibrary(1);
    const byTwo = await wholeLibrary(2);

    expect(byOne.ids).toEqual([pendingId, labeled.id, failed.id]);
    expect(byOne.pages).toBeGreaterThanOrEqual(3);
    expect(byTwo.ids).toEqual([pendingId, labeled.id, failed.id]);
  });

  it("never shows another owner's images, not even through Alice's nextToken", async () => {
    tokens.signIn(alice);
    const first = await asUser.images({ limit: 1 });
    expect(first.nextToken).toBeTruthy();

    tokens.signIn(bob);
    expect((await asUser.images({ limit: 100 })).items).toEqual([]);
    await expectRefused(() => asUser.images({ limit: 1, nextToken: first.nextToken! }), 'BadRequestException', 'nextToken is not a token this query returned');
    const shared = (await withApiKey.images({ limit: 100 })).items.map((image) => image.id);
    expect(shared).not.toContain(pendingId);
    expect(shared).not.toContain(labeled.id);
    expect(shared).not.toContain(failed.id);
  });

  it.each([
    ['limit 0', { limit: 0 }, 'limit must be between 1 and 100'],
    ['limit -1', { limit: -1 }, 'limit must be between 1 and 100'],
    ['limit 101', { limit: 101 }, 'limit must be between 1 and 100'],
    ['a garbage nextToken', { nextToken: '%%% not a token %%%' }, 'nextToken is not a token this query returned'],
    ['a forged nextToken', { nextToken: 'eyJ2ZXJzaW9uIjoxfQ.Zm9yZ2Vk' }, 'nextToken is not a token this query returned'],
    ['a 10 KB nextToken', { nextToken: 'A'.repeat(10_240) }, 'nextToken is not a token this query returned'],
  ])('refuses %s with BadRequestException naming the argument', async (_case, args, message) => {
    tokens.signIn(alice);
    await expectRefused(() => asUser.images(args), 'BadRequestException', message);
  });

  it('refuses a nextToken of the catalog', async () => {
    tokens.signIn(alice);
    // The catalog counts the cat's names just after its push.
    await expect.poll(async () => (await asUser.labels({ limit: 1 })).nextToken, { timeout: 10_000 }).toBeTruthy();
    const catalog = await asUser.labels({ limit: 1 });

    await expectRefused(() => asUser.images({ nextToken: catalog.nextToken! }), 'BadRequestException', 'nextToken is not a token this query returned');
  });
});
