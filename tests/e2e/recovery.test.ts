/**
 * At-least-once delivery and crash recovery, on a stack of its own: every S3
 * event is delivered twice, concurrently (LABELCAST_EXTRA_S3_DELIVERIES=1,
 * a local test hook), and the stack is killed with SIGKILL mid-labelling and
 * started again on the same state. Each image must be labelled once, pushed
 * once, and none may stay PENDING or lose its object.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Image } from '../../client-example/graphql/index.ts';
import { uploadKeyFor } from '../../api/media.ts';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { LabelcastClient, type UploadTicket } from '../../client-example/lib/labelcast-client.ts';
import { stackCredentials, startStackProcess, type RunningStack } from '../../local/child-process-stack.ts';
import { fixture } from '../support/amplify-client.ts';
import { untilSearchable } from '../support/searchable.ts';

/** Resolves once `done()` holds; the test's own timeout bounds the wait. */
async function waitFor(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  for (;;) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The labeler's log lines (Powertools JSON) about one image. */
function labelerLogFor(stack: RunningStack, imageId: string): { message: string }[] {
  const file = path.join(stack.stateDir, 'logs', 'labeler.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(imageId) && line.startsWith('{'))
    .map((line) => JSON.parse(line) as { message: string });
}

const terminal = (image: Image | null) => image?.status === 'LABELED' || image?.status === 'FAILED';

describe('Recovery: duplicate S3 events and SIGKILL', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-recovery-'));
  let stack: RunningStack;
  let client: LabelcastClient;

  const start = async () => {
    stack = await startStackProcess({ stateDir });
    configureAmplify(stack.outputsPath);
    client = new LabelcastClient();
  };

  beforeAll(async () => {
    // The worker trusts the shared e2e stack's CA (NODE_EXTRA_CA_CERTS is read once, at start): reuse it.
    cpSync(path.join(inject('stateDir'), 'tls'), path.join(stateDir, 'tls'), { recursive: true });
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

    // Act
    await client.upload(ticket, bytes);
    const pushed = await recorder.first;
    // Both deliveries have finished once the labeler logged two outcomes for the image.
    await waitFor('both deliveries', () =>
      labelerLogFor(stack, ticket.imageId).filter((line) => /image labelled|duplicate event/.test(line.message)).length >= 2,
    );
    recorder.stop();

    // Assess
    expect(pushed.status).toBe('LABELED');
    expect(recorder.events).toHaveLength(1);
    const outcomes = labelerLogFor(stack, ticket.imageId).map((line) => line.message);
    expect(outcomes.filter((message) => message === 'image labelled')).toHaveLength(1);
    expect(outcomes.filter((message) => message.includes('duplicate event'))).toHaveLength(1);
    const cat = pushed.labels.find((label) => label.name === 'Cat');
    expect(cat).toBeDefined();
    await untilSearchable(client, 'Cat', ticket.imageId);
    const page = await client.imagesByLabel({ label: 'Cat', limit: 100 });
    expect(page.items.filter((image) => image.id === ticket.imageId)).toHaveLength(1);
  }, 120_000);

  it('ends every uploaded image LABELED or FAILED, pushed at most once, after a SIGKILL and restart', async () => {
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

    // Act
    await stack.stop('SIGKILL');
    const beforeKill = new Map(uploads.map(({ ticket, recorder }) => [ticket.imageId, recorder.events.length]));
    for (const { recorder } of uploads) recorder.stop();
    await start();
    const after = uploads.map(({ ticket }) => client.recordEvents(ticket.imageId));
    await Promise.all(after.map((recorder) => recorder.ready));
    await waitFor('every image terminal', async () => {
      const images = await Promise.all(uploads.map(({ ticket }) => client.image(ticket.imageId)));
      return images.every(terminal);
    });
    // An image re-driven after the restart is pushed to the new subscription (unless it ended before we subscribed).
    const images = await Promise.all(uploads.map(({ ticket }) => client.image(ticket.imageId)));
    for (const recorder of after) recorder.stop();

    // Assess
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
      const pushes = beforeKill.get(ticket.imageId)! + after[index]!.events.length;
      expect(pushes, `${files[index]} pushed ${pushes} times`).toBeLessThanOrEqual(1);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'labelcast-uploads', Key: uploadKeyFor(ticket.imageId) }));
      expect(head.ContentLength).toBe(uploads[index]!.bytes.byteLength);
    }
    s3.destroy();
  }, 240_000);
});
