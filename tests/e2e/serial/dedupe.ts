/**
 * The same bytes uploaded twice by one owner are labelled once: the second
 * image reuses the stored result by content hash. The local Rekognition's
 * call counter proves the second upload made no Rekognition call. Results
 * are per owner: another owner's upload of the same bytes is detected anew,
 * so how fast it is labelled tells nothing about anyone else's uploads.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LabelcastClient } from '../../../client-example/lib/labelcast-client.ts';
import { fixture, configureStackAmplify } from '../../support/amplify-client.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { rekognitionStats } from '../../support/rekognition-stats.ts';
import { untilSearchable } from '../../support/searchable.ts';
import { mintUser, switchableTokenProvider, type PoolUser } from '../../support/user-pool.ts';

const tokens = switchableTokenProvider();

describe('Dedupe: labels reused by content hash', () => {
  beforeAll(() => configureStackAmplify({ tokenProvider: tokens }));
  const client = new LabelcastClient();

  it('labels bytes seen before without calling Rekognition, and new bytes with one call each', async () => {
    // Prepare: bytes no other test uploaded (all e2e files share one stack)
    const bytes = jpegVariant(await fixture('cat.jpg'));
    const before = await rekognitionStats();

    // Act
    const first = await client.uploadAndWait(bytes, 'first.jpg');
    const afterFirst = await rekognitionStats();
    const second = await client.uploadAndWait(bytes, 'second.jpg');
    const afterSecond = await rekognitionStats();

    // Assess
    expect(first.status).toBe('LABELED');
    expect(afterFirst.DetectLabels).toBe(before.DetectLabels + 1);
    expect(afterFirst.DetectModerationLabels).toBe(before.DetectModerationLabels + 1);

    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('LABELED');
    expect(second.fileName).toBe('second.jpg');
    expect(second.labels).toEqual(first.labels);
    expect(second.moderationLabels).toEqual(first.moderationLabels);
    expect(afterSecond).toEqual(afterFirst);

    // The reused image is searchable like any other.
    await untilSearchable(client, 'Cat', second.id);
    const cats = await client.imagesByLabel({ label: 'Cat', limit: 100 });
    expect(cats.items.map((image) => image.id)).toEqual(expect.arrayContaining([first.id, second.id]));
  });

  it('still calls Rekognition for different bytes', async () => {
    const before = await rekognitionStats();

    const image = await client.uploadAndWait(jpegVariant(await fixture('cat.jpg')), 'other.jpg');

    expect(image.status).toBe('LABELED');
    const after = await rekognitionStats();
    expect(after.DetectLabels).toBe(before.DetectLabels + 1);
  });
});

describe('Dedupe: per owner', () => {
  beforeAll(() => configureStackAmplify({ tokenProvider: tokens }));
  const withApiKey = new LabelcastClient();
  const asUser = new LabelcastClient({ authMode: 'userPool' });
  let alice: PoolUser;
  let bob: PoolUser;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([mintUser(), mintUser()]);
  });

  it("never reuses another owner's result: each owner's first upload of the same bytes calls Rekognition", async () => {
    // Prepare: bytes no other test uploaded, labelled once in the API-key space
    const bytes = jpegVariant(await fixture('cat.jpg'));
    const shared = await withApiKey.uploadAndWait(bytes, 'shared.jpg');
    expect(shared.status).toBe('LABELED');

    // Act: Alice, then Bob, then Alice again upload the same bytes
    const beforeAlice = await rekognitionStats();
    tokens.signIn(alice);
    const aliceFirst = await asUser.uploadAndWait(bytes, 'alice.jpg');
    const afterAlice = await rekognitionStats();
    tokens.signIn(bob);
    const bobFirst = await asUser.uploadAndWait(bytes, 'bob.jpg');
    const afterBob = await rekognitionStats();
    tokens.signIn(alice);
    const aliceAgain = await asUser.uploadAndWait(bytes, 'alice-again.jpg');
    const afterAliceAgain = await rekognitionStats();

    // Assess: a detection each for Alice's and Bob's first upload; Alice's second reuses hers
    for (const image of [aliceFirst, bobFirst, aliceAgain]) expect(image).toMatchObject({ status: 'LABELED', labels: shared.labels });
    expect(afterAlice.DetectLabels).toBe(beforeAlice.DetectLabels + 1);
    expect(afterBob.DetectLabels).toBe(afterAlice.DetectLabels + 1);
    expect(afterAliceAgain).toEqual(afterBob);
  });
});
