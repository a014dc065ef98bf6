/**
 * The hashing of the labeler's results per content (functions/labeler/content-results.ts):
 * the bytes are hashed once, however many steps ask for their SHA-256, and a
 * result is reused only for bytes whose hash matches the stored one.
 */
import type { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { contentSha256, detectByContent, sha256Once, startSha256After, type StoredDetection } from '../../functions/labeler/content-results.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';

const bytes = new TextEncoder().encode('not really a JPEG, only bytes to hash');
const cat = { name: 'Cat', confidence: 99, parents: [], aliases: [], categories: [], instances: [] };
const dog = { ...cat, name: 'Dog' };

/** A table that records the items put in it. */
function recordingStore(): TableStore & { readonly items: Record<string, unknown>[] } {
  const items: Record<string, unknown>[] = [];
  const documentClient = { send: async (command: PutCommand) => void items.push(command.input.Item ?? {}) };
  return { documentClient: documentClient as unknown as TableStore['documentClient'], tableName: 'images', items };
}

describe('Function: sha256Once', () => {
  it('hashes the bytes at the first call and hands every later call the same hash', async () => {
    const hash = sha256Once(Promise.resolve(bytes));
    const first = hash();
    expect(hash()).toBe(first);
    await expect(first).resolves.toBe(contentSha256(bytes));
  });

  it('rejects each call when the read failed, and is never an unhandled rejection', async () => {
    const read = Promise.reject(new Error('PreconditionFailed'));
    read.catch(() => undefined);
    const hash = sha256Once(read);
    // Started and dropped, as label-image.ts starts it beside the engine: nothing unhandled (vitest fails a run
    // with one), though nothing awaits it before the next turn of the event loop.
    void hash();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(hash()).rejects.toThrow('PreconditionFailed');
  });
});

describe('Function: startSha256After', () => {
  it('starts the hash once ready, and leaves a failed read to whoever awaits the hash: no unhandled rejection', async () => {
    // Prepare: a read that failed, as label-image.ts starts the hash once the media gate opens
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    const read = Promise.reject(new Error('PreconditionFailed'));
    read.catch(() => undefined);
    const hash = sha256Once(read);

    // Act
    startSha256After(Promise.resolve(), hash);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', record);

    // Assess: nothing unhandled (Lambda would fail the whole batch for it); the hash still rejects for its caller
    expect(unhandled).toEqual([]);
    await expect(hash()).rejects.toThrow('PreconditionFailed');
  });

  it('hashes the bytes only once ready', async () => {
    let calls = 0;
    const sha256 = sha256Once(Promise.resolve(bytes));
    const counted = () => ((calls += 1), sha256());
    let open: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (open = resolve));

    startSha256After(ready, counted);
    await new Promise((resolve) => setImmediate(resolve));
    const before = calls;
    open();
    await new Promise((resolve) => setImmediate(resolve));

    expect([before, calls]).toEqual([0, 1]);
    await expect(sha256()).resolves.toBe(contentSha256(bytes));
  });
});

describe('Function: detectByContent', () => {
  const content = (stored: StoredDetection | undefined) => ({
    owner: 'API_KEY',
    eTag: 'etag',
    bytes: Promise.resolve(bytes),
    sha256: sha256Once(Promise.resolve(bytes)),
    stored: Promise.resolve(stored),
  });

  it('reuses a stored result only for bytes of the same SHA-256', async () => {
    const store = recordingStore();
    const detect = async () => ({ labels: [dog], moderationLabels: [] });
    const same = await detectByContent({ store, detect }, content({ sha256: contentSha256(bytes), labels: [cat], moderationLabels: [] }));
    expect(same).toMatchObject({ reused: true, labels: [cat] });
    const other = await detectByContent({ store, detect }, content({ sha256: contentSha256(new Uint8Array([1])), labels: [cat], moderationLabels: [] }));
    expect(other).toMatchObject({ reused: false, labels: [dog] });
  });

  it("stores a fresh result under the bytes' SHA-256", async () => {
    const store = recordingStore();
    const fresh = await detectByContent({ store, detect: async () => ({ labels: [dog], moderationLabels: [] }) }, content(undefined));
    await fresh.save?.(new Date('2026-12-01T00:00:00Z'));
    // The detection itself is stored compressed (content-results.test.ts reads it back on a real table).
    expect(store.items).toEqual([expect.objectContaining({ sha256: contentSha256(bytes), detection: expect.any(Uint8Array), detectedAt: '2026-12-01T00:00:00.000Z' })]);
  });
});
