/**
 * Owners: Cognito user-pool callers see only their own images, by id, by
 * label, in the catalog and on onImageLabeled; API-key callers share one space
 * and see none of the users' images. Two users of the local user pool go
 * through aws-amplify's `authMode: 'userPool'` with a custom tokenProvider.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { LabelsDocument, type Image } from '../../../client-example/graphql/index.ts';
import { LabelcastClient } from '../../../client-example/lib/labelcast-client.ts';
import { errorTypeOf, fixture, postOperation, configureStackAmplify } from '../../support/amplify-client.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { mintUser, switchableTokenProvider, type PoolUser } from '../../support/user-pool.ts';
import { untilSearchable } from '../../support/searchable.ts';

const tokens = switchableTokenProvider();
const asUser = new LabelcastClient({ authMode: 'userPool' });
const withApiKey = new LabelcastClient();


/** Every event one caller's onImageLabeled (without imageId) receives; started as that caller. */
async function watchAs(user: PoolUser | undefined, client: LabelcastClient) {
  tokens.signIn(user);
  const events: Image[] = [];
  const errors: Error[] = [];
  const watch = client.watchAll((image) => events.push(image), (error) => errors.push(error));
  await watch.ready;
  return { events, errors, stop: watch.stop };
}

describe('Owners: user-pool callers see only their own images', () => {
  beforeAll(() => configureStackAmplify({ tokenProvider: tokens }));
  let alice: PoolUser;
  let bob: PoolUser;
  let aliceCat: Image;
  let bobCoffee: Image;
  let sharedCat: Image;
  const watchers: { stop(): void }[] = [];

  beforeAll(async () => {
    [alice, bob] = await Promise.all([mintUser(), mintUser()]);
  });
  afterAll(() => {
    for (const watcher of watchers) watcher.stop();
  });

  it("pushes each upload only to its owner's subscriptions", async () => {
    // Prepare: Alice, Bob and an API-key app each watch every image, one after the other
    const aliceWatch = await watchAs(alice, asUser);
    const bobWatch = await watchAs(bob, asUser);
    const apiKeyWatch = await watchAs(undefined, withApiKey);
    watchers.push(aliceWatch, bobWatch, apiKeyWatch);

    // Act: Alice uploads a cat, then Bob a coffee, then the API-key app a cat
    tokens.signIn(alice);
    aliceCat = await asUser.uploadAndWait(jpegVariant(await fixture('cat.jpg')), 'alice-cat.jpg');
    tokens.signIn(bob);
    bobCoffee = await asUser.uploadAndWait(jpegVariant(await fixture('coffee.jpg')), 'bob-coffee.jpg');
    sharedCat = await withApiKey.uploadAndWait(jpegVariant(await fixture('cat.jpg')), 'shared-cat.jpg');

    // Assess: one socket carries all three subscriptions in publish order, so once each
    // watcher has its own event, anything of the others' it were sent would be there already.
    await expect.poll(() => apiKeyWatch.events.map((image) => image.id)).toContain(sharedCat.id);
    expect(aliceCat).toMatchObject({ status: 'LABELED', owner: alice.sub });
    expect(bobCoffee).toMatchObject({ status: 'LABELED', owner: bob.sub });
    expect(sharedCat).toMatchObject({ status: 'LABELED', owner: 'API_KEY' });
    expect(aliceWatch.events.map((image) => image.id)).toEqual([aliceCat.id]);
    expect(bobWatch.events.map((image) => image.id)).toEqual([bobCoffee.id]);
    expect(apiKeyWatch.events.map((image) => image.id)).toEqual([sharedCat.id]);
    expect([...aliceWatch.errors, ...bobWatch.errors, ...apiKeyWatch.errors]).toEqual([]);
  });

  it("refuses someone else's image by id with Unauthorized", async () => {
    tokens.signIn(alice);
    expect(await asUser.image(aliceCat.id)).toMatchObject({ id: aliceCat.id, owner: alice.sub });
    expect(await errorTypeOf(asUser.image(sharedCat.id))).toBe('Unauthorized');

    tokens.signIn(bob);
    expect(await errorTypeOf(asUser.image(aliceCat.id))).toBe('Unauthorized');
    expect(await errorTypeOf(withApiKey.image(aliceCat.id))).toBe('Unauthorized');
    expect(await withApiKey.image(sharedCat.id)).toMatchObject({ id: sharedCat.id });
  });

  it('searches only the caller\'s images by label', async () => {
    const ids = async (client: LabelcastClient, label: string) =>
      (await client.imagesByLabel({ label, limit: 100 })).items.map((image) => image.id);

    await untilSearchable(withApiKey, 'Cat', sharedCat.id);
    tokens.signIn(alice);
    await untilSearchable(asUser, 'Cat', aliceCat.id);
    expect(await ids(asUser, 'Cat')).toEqual([aliceCat.id]);
    tokens.signIn(bob);
    expect(await ids(asUser, 'Cat')).toEqual([]);
    expect(await ids(asUser, 'Animal')).toEqual([]);
    const apiKeyCats = await ids(withApiKey, 'Cat');
    expect(apiKeyCats).toContain(sharedCat.id);
    expect(apiKeyCats).not.toContain(aliceCat.id);
  });

  it("counts only the caller's images in the label catalog", async () => {
    const catalog = async (prefix: string) => (await asUser.labels({ prefix, limit: 100 })).items;

    tokens.signIn(alice);
    await expect.poll(() => catalog('cat'), { timeout: 10_000 }).toEqual([{ name: 'Cat', imageCount: 1 }]);
    tokens.signIn(bob);
    expect(await catalog('cat')).toEqual([]);
    expect((await catalog('')).map((label) => label.name)).not.toContain('Cat');
  });

  it("refuses to delete someone else's image, and deletes one's own", async () => {
    tokens.signIn(bob);
    expect(await errorTypeOf(asUser.deleteImage(aliceCat.id))).toBe('Unauthorized');
    expect(await errorTypeOf(withApiKey.deleteImage(aliceCat.id))).toBe('Unauthorized');

    tokens.signIn(alice);
    expect(await asUser.image(aliceCat.id)).toMatchObject({ id: aliceCat.id });
    expect(await asUser.deleteImage(aliceCat.id)).toMatchObject({ id: aliceCat.id, owner: alice.sub });
    expect(await asUser.image(aliceCat.id)).toBeNull();
    expect((await asUser.labels({ prefix: 'cat' })).items).toEqual([]);
  });
});

describe('Owners: user-pool tokens are verified', () => {
  beforeAll(() => configureStackAmplify({ tokenProvider: tokens }));
  const labels = (authorization: string) => postOperation(LabelsDocument, {}, { authorization });

  it('answers a valid ID token as well as an access token', async () => {
    const user = await mintUser();
    for (const token of [user.idToken, user.accessToken]) {
      const { status, body } = await labels(token);
      expect(status).toBe(200);
      expect(body).toEqual({ data: { labels: { items: [], nextToken: null } } });
    }
  });

  it('refuses an expired token with 401 "Token has expired."', async () => {
    // Issued an hour ago for the shortest lifetime Cognito allows, 5 minutes.
    const user = await mintUser({ issuedAt: Math.floor(Date.now() / 1000) - 3600, expiresInSeconds: 300 });
    const { status, body } = await labels(user.accessToken);
    expect(status).toBe(401);
    expect(body.errors?.[0]).toEqual({ errorType: 'UnauthorizedException', message: 'Token has expired.' });
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [alice, bob] = await Promise.all([mintUser(), mintUser()]);
    const [header, , signature] = alice.accessToken.split('.');
    const [, bobClaims] = bob.accessToken.split('.');
    const { status, body } = await labels(`${header}.${bobClaims}.${signature}`);
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ errorType: 'UnauthorizedException' });
  });

  it('refuses an unsigned (alg none) token', async () => {
    const user = await mintUser();
    const [, claims] = user.accessToken.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const { status } = await labels(`${header}.${claims}.`);
    expect(status).toBe(401);
  });
});
