/**
 * Local S3 keeps no object file open once its answer is over, sent or not: not for pipelined GETs whose client
 * left without reading them (the attacker review's F1: +227 fds a socket, for good, until the process hit its fd
 * limit), nor for a 304 Not Modified, which s3rver answers after opening the file. Counted as the process's file
 * descriptors on the stored object (Linux's /proc/self/fd).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalCredentials } from '../../local/iam/credentials.ts';
import { useLocalS3 } from '../support/local-s3.ts';
import { waitFor } from '../support/wait-for.ts';

const bucket = 'labelcast-uploads';
const credentials: LocalCredentials = { accessKeyId: 'LKIAS3TESTKEY000001', secretAccessKey: 'local-s3-secret-0123456789abcdefghijklmn' };
/** Larger than a file stream's 64 KiB read and the answer's buffer, so a queued answer's stream stays open, mid-file. */
const objectBytes = 512 * 1024;

let objectUrl: URL;

/** The process's open file descriptors on stored objects (s3rver names their files `<key>._S3rver_object`). */
const openObjectFiles = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith('._S3rver_object');
    } catch {
      return false; // closed since it was listed
    }
  }).length;

/** The open object files once the server had time to close them: files close asynchronously, after their answer. */
async function openObjectFilesLeft(): Promise<number> {
  for (let polls = 0; polls < 40 && openObjectFiles() > 0; polls += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  return openObjectFiles();
}

const localS3 = useLocalS3({ dirPrefix: 'labelcast-s3-files-', admin: credentials, buckets: [{ name: bucket }], maxObjectBytes: 1024 * 1024 });

beforeAll(async () => {
  const client = localS3.client();
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'uploads/large.jpg', Body: Buffer.alloc(objectBytes, 7) }));
  objectUrl = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: 'uploads/large.jpg' }), { expiresIn: 300 }));
});

describe.runIf(process.platform === 'linux')('object files', () => {
  it('closes the files of pipelined GETs (ranged ones too) whose client left without reading the answers', async () => {
    // Prepare: 24 GETs of the presigned URL in one write, every other one for a range, on a socket that reads nothing
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const socket = connect(Number(objectUrl.port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const get = (range: string) => `GET ${objectUrl.pathname}${objectUrl.search} HTTP/1.1\r\nHost: 127.0.0.1:${objectUrl.port}\r\n${range}\r\n`;
    socket.write(Array.from({ length: 24 }, (_, index) => get(index % 2 ? 'Range: bytes=1-400000\r\n' : '')).join(''));
    // The answers the socket's buffers cannot take wait behind the others, each with its file open mid-read
    await waitFor(() => openObjectFiles() >= 8 && socket.readableLength > 0, 20);

    // Act: the client leaves
    socket.destroy();

    // Assess: every file is closed (without the fix those of the queued answers stayed open, for good), and the
    // client's reset is not logged as an internal error
    expect(await openObjectFilesLeft()).toBe(0);
    expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([]);
    logged.mockRestore();
  });

  it('closes the file s3rver opened for a 304 Not Modified', async () => {
    // Prepare: the object's ETag, as a browser revalidating its cached copy sends it back
    const first = await fetch(objectUrl);
    await first.arrayBuffer();
    const eTag = first.headers.get('etag') ?? '';

    // Act: five revalidations, by ETag and by date
    const statuses: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      const conditions: Record<string, string> =
        index % 2 ? { 'if-none-match': eTag } : { 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() };
      const answer = await fetch(objectUrl, { headers: conditions });
      await answer.arrayBuffer();
      statuses.push(answer.status);
    }

    // Assess: each answered 304, and no file is left open (without the fix: one each)
    expect(statuses).toEqual([304, 304, 304, 304, 304]);
    expect(await openObjectFilesLeft()).toBe(0);
  });
});
