/**
 * At-least-once delivery and crash recovery, on a stack of its own: every S3
 * event is delivered twice, concurrently (LABELCAST_EXTRA_S3_DELIVERIES=1,
 * a local test hook), and the stack is killed with SIGKILL mid-labelling and
 * started again on the same state. Each image must be labelled once, pushed
 * once, and none may stay PENDING or lose its object. Asserted on what a user
 * or operator can observe: pushes received, catalog counts and the image
 * items' pushedAt and catalogPending (tests/support/image-items.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Image } from '../../client-example/graphql/index.ts';
import { uploadKeyFor } from '../../api/media.ts';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { LabelcastClient, type UploadTicket } from '../../client-example/lib/labelcast-client.ts';
import { stackCredentials, startStackProcess, type RunningStack } from '../../local/child-process-stack.ts';
import { fixture } from '../support/amplify-client.ts';
import { PushAttributes } from '../../functions/shared/image-push.ts';
import { imageItem, isCatalogCounted, isPushRecorded } from '../support/image-items.ts';
import { untilSearchable } from '../support/searchable.ts';
import { waitFor } from '../support/wait-for.ts';
import { e2eStackEnv, seedStateDir } from '../support/e2e-stack.ts';

const terminal = (image: Image | null) => image?.status === 'LABELED' || image?.status === 'FAILED';

describe('Recovery: duplicate S3 events and SIGKILL', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-recovery-'));
  let stack: RunningStack;
  let client: LabelcastClient;

  const start = async () => {
    stack = await startStackProcess({ stateDir, env: e2eStackEnv() });
    configureAmplify(stack.outputsPath);
    client = new LabelcastClient();
  };

  beforeAll(async () => {
    // The CA the worker trusts (NODE_EXTRA_CA_CERTS is read once, at start) and the user pool's key, as the e2e stacks start.
    seedStateDir(stateDir);
    process.env.LABELCAST_EXTRA_S3_DELIVERIES = '1';
    await start();
  }, 180_000);

  afterAll(async () => {
    delete process.env.LABELCAST_EXTRA_S3_DELIVERIES;
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('labels an image delivered twice concurrently once, with one push', async () => {
    // Prepare
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength, fileName: 'twice.jpg' });
    const recorder = client.recordEvents(ticket.imageId);
    await recorder.ready;
    const catCount = async () => (await client.labels({ prefix: 'cat', limit: 100 })).items.find((item) => item.name === 'Cat')?.imageCount ?? 0;
    const catsBefore = await catCount();

    // Act
    await client.upload(ticket, bytes);
    const pushed = await recorder.first;
    // The run that pushed has recorded it and counted the catalog: the image's work is done.
    // Until the push is recorded and the catalog counted
    await waitFor(async () => {
      const item = await imageItem(ticket.imageId, stack);
      return isPushRecorded(item) && isCatalogCounted(item);
    });
    recorder.stop();

    // Assess: both deliveries may detect, but only one ends the image: one push, one catalog count, one search entry
    expect(pushed.status).toBe('LABELED');
    expect(recorder.events).toHaveLength(1);
    expect(await catCount()).toBe(catsBefore + 1);
    const cat = pushed.labels.find((label) => label.name === 'Cat');
    expect(cat).toBeDefined();
    await untilSearchable(client, 'Cat', ticket.imageId);
    const page = await client.imagesByLabel({ label: 'Cat', limit: 100 });
    expect(page.items.filter((image) => image.id === ticket.imageId)).toHaveLength(1);
  }, 120_000);

  it('ends every uploaded image LABELED or FAILED, pushed exactly once, after a SIGKILL and restart', async () => {
    // Prepare: three uploads the stack is busy labelling when it is killed
    const files = ['cat.jpg', 'astronaut.jpg', 'cat.png'];
    const uploads: { ticket: UploadTicket; bytes: Buffer; recorder: ReturnType<LabelcastClient['recordEvents']> }[] = [];
    for (const name of files) {
      const bytes = await fixture(name);
      const contentType = name.endsWith('.png') ? 'image/png' : 'image/jpeg';
      const ticket = await client.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName: name });
      const recorder = client.recordEvents(ticket.imageId);
      await recorder.ready;
      uploads.push({ ticket, bytes, recorder });
    }
    await Promise.all(uploads.map(({ ticket, bytes }) => client.upload(ticket, bytes)));

    // A function's process opens its log file when it forks (local/lambda/function-process.ts): the first start,
    // on a table it created, made no start-up reconciler run (its schedule is minutes away); the restart must.
    const reconcilerLog = path.join(stateDir, 'logs', 'reconciler.log');
    const reconcilerForkedBeforeKill = existsSync(reconcilerLog);

    // Act
    await stack.stop('SIGKILL');
    const killedAt = Date.now();
    const beforeKill = new Map(uploads.map(({ ticket, recorder }) => [ticket.imageId, recorder.events.length]));
    for (const { recorder } of uploads) recorder.stop();
    // The restarted stack re-drives every PENDING image (the reconciler, awaited) before it serves: those pushes
    // reach no subscriber, and their pushedAt, written after each push, is later than the kill.
    await start();
    const after = uploads.map(({ ticket }) => client.recordEvents(ticket.imageId));
    await Promise.all(after.map((recorder) => recorder.ready));
    // Until every image is terminal and its push recorded
    await waitFor(async () => {
      const items = await Promise.all(uploads.map(({ ticket }) => imageItem(ticket.imageId, stack)));
      return items.every((item) => terminal(item as Image | undefined ?? null) && isPushRecorded(item));
    });
    const images = await Promise.all(uploads.map(({ ticket }) => client.image(ticket.imageId)));
    const items = await Promise.all(uploads.map(({ ticket }) => imageItem(ticket.imageId, stack)));
    for (const recorder of after) recorder.stop();

    // Assess
    expect(reconcilerForkedBeforeKill, 'the first start, on a new table, forked a reconciler').toBe(false);
    expect(existsSync(reconcilerLog), 'the restart forked no reconciler').toBe(true);
    expect([...beforeKill.values()], 'the kill came before some image was labelled').toContain(0);
    const s3 = new S3Client({
      endpoint: stack.endpoints.s3,
      region: 'us-east-1',
      credentials: stackCredentials(stateDir),
      forcePathStyle: true,
    });
    for (const [index, { ticket }] of uploads.entries()) {
      const image = images[index]!;
      expect(['LABELED', 'FAILED'], `${files[index]}: ${JSON.stringify(image)}`).toContain(image.status);
      if (image.status === 'FAILED') expect(image.error).toBeTruthy();
      // Every image has a pushedAt (waited for above), written after its push: it was pushed at least once. A push
      // is seen by the subscription open before the kill or by the one opened once the restarted stack served; one
      // made while the restarted stack re-drove its images, before it served, reaches no subscriber and shows only
      // as a pushedAt after the kill.
      const pushedAt = Date.parse(String(items[index]![PushAttributes.pushedAt]));
      const seen = beforeKill.get(ticket.imageId)! + after[index]!.events.length;
      const unseenWhileRestarting = seen === 0 && pushedAt > killedAt ? 1 : 0;
      const pushes = seen + unseenWhileRestarting;
      expect(pushes, `${files[index]} pushed ${pushes} times (pushedAt ${new Date(pushedAt).toISOString()}, killed ${new Date(killedAt).toISOString()})`).toBe(1);
      // Pushed before the kill: recorded then, and nothing pushed it again (a re-push records pushedAt anew).
      if (beforeKill.get(ticket.imageId) === 1) expect(pushedAt, `${files[index]} pushedAt`).toBeLessThan(killedAt);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'labelcast-uploads', Key: uploadKeyFor(ticket.imageId) }));
      expect(head.ContentLength).toBe(uploads[index]!.bytes.byteLength);
    }
    s3.destroy();
  }, 240_000);
});
