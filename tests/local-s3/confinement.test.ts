/**
 * No signed request touches what IAM did not check: a multipart upload ID or part number cannot name a path of the
 * store, an upload ID names one upload of one key, DeleteObjects deletes exactly the keys IAM allowed (read once
 * from its body, as S3 reads XML), and the Host header never steers storage. A role that may only s3:PutObject on
 * `uploads/*` of one bucket sends signed requests crafted by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { CreateMultipartUploadCommand, DeleteObjectsCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../local/iam/credentials.ts';
import { useLocalS3 } from '../support/local-s3.ts';

const media = 'labelcast-media';
const secrets = 'labelcast-private';
const admin: LocalCredentials = { accessKeyId: 'LKIAS3CONFINED00001', secretAccessKey: 'local-s3-secret-confined-0123456789abcd' };
/** May s3:PutObject on `labelcast-media/uploads/*`, nothing else (a Lambda function's role). */
const uploader: LocalCredentials = { accessKeyId: 'LKIAS3CONFUPLOAD001', secretAccessKey: 'local-s3-secret-uploader-0123456789abc' };

const localS3 = useLocalS3({
  dirPrefix: 'labelcast-s3-confined-',
  admin,
  roles: [{ name: 'uploader', credentials: uploader, statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${media}/uploads/*` }] }],
  buckets: [{ name: media }, { name: secrets }],
  clientConfig: { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', maxAttempts: 1 },
});

const client = (credentials: LocalCredentials = admin) => localS3.client(credentials);

interface Answer {
  readonly status: number | undefined;
  readonly body: string;
}

/**
 * A request signed as an SDK signs it, for `pathname` and the query's raw values, sent with `host` as its Host and,
 * with `emptyPairsFirst`, that many empty query pairs in front of the query's parameters.
 */
async function signed(
  credentials: LocalCredentials,
  method: string,
  pathname: string,
  query: Record<string, string> = {},
  options: { readonly body?: string; readonly host?: string; readonly emptyPairsFirst?: number } = {},
): Promise<Answer> {
  const endpoint = new URL(localS3.endpoint);
  const body = options.body ?? '';
  const host = options.host ?? endpoint.host;
  const headers = await localS3.signedHeaders(credentials, {
    method,
    path: pathname,
    query,
    headers: { host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), 'content-length': String(Buffer.byteLength(body)) },
  });
  // Empty pairs (`&&…`) are not signed: SigV4's canonical query has no empty parameter.
  const search = '&'.repeat(options.emptyPairsFirst ?? 0) + new URLSearchParams(query).toString().replaceAll('+', '%20');
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      { host: endpoint.hostname, port: endpoint.port, method, path: search === '' ? pathname : `${pathname}?${search}`, headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: text }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

const codeOf = (answer: Answer) => /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];
const messageOf = (answer: Answer) => /<Message>([^<]*)<\/Message>/.exec(answer.body)?.[1];

/** Every file under the state's root, relative to it: nothing may appear outside the data directory. */
const filesOutsideData = () => readdirSync(localS3.root, { recursive: true, encoding: 'utf8' }).filter((file) => !file.startsWith('data'));

describe('multipart uploads', () => {
  const startUpload = async (credentials: LocalCredentials, bucket: string, key: string) =>
    (await client(credentials).send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;

  it('refuses a part number that is no integer from 1 to 10,000 (400 InvalidArgument), writing nothing', async () => {
    await client().send(new PutObjectCommand({ Bucket: secrets, Key: 'secret.txt', Body: 'secret' }));
    const uploadId = await startUpload(uploader, media, 'uploads/x.txt');
    for (const partNumber of ['../../../labelcast-private/secret.txt._S3rver_object', '../../../../../outside', '0', '10001', '1.5', '-1', ' 1', '']) {
      const answer = await signed(uploader, 'PUT', `/${media}/uploads/x.txt`, { partNumber, uploadId }, { body: 'overwritten' });
      expect([answer.status, codeOf(answer), messageOf(answer)]).toEqual([400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive']);
    }
    expect((await localS3.s3.readObject(secrets, 'secret.txt'))?.toString()).toBe('secret');
    expect(filesOutsideData()).toEqual([]);

    const part = await signed(uploader, 'PUT', `/${media}/uploads/x.txt`, { partNumber: '10000', uploadId }, { body: 'last part' });
    expect(part.status).toBe(200);
  });

  it('reads the query as the store does however it is padded: 1,000 empty pairs in front hide no part number or upload ID', async () => {
    const uploadId = await startUpload(uploader, media, 'uploads/padded.txt');
    const hiddenPart = await signed(uploader, 'PUT', `/${media}/uploads/padded.txt`, { uploadId, partNumber: '../../../../escaped' }, { body: 'x', emptyPairsFirst: 1000 });
    const hiddenUpload = await signed(uploader, 'PUT', `/${media}/uploads/padded.txt`, { uploadId: '../../../victim', partNumber: '1' }, { body: 'x', emptyPairsFirst: 1000 });
    expect([hiddenPart.status, codeOf(hiddenPart)]).toEqual([400, 'InvalidArgument']);
    expect([hiddenUpload.status, codeOf(hiddenUpload)]).toEqual([404, 'NoSuchUpload']);
    expect(filesOutsideData()).toEqual([]);
    expect(readdirSync(localS3.dataDir)).not.toContain('escaped');
  });

  it('refuses an UploadPart that names no part (400 InvalidArgument), where the store failed with a 500', async () => {
    const uploadId = await startUpload(uploader, media, 'uploads/no-part.txt');
    const answer = await signed(uploader, 'PUT', `/${media}/uploads/no-part.txt`, { uploadId }, { body: 'x' });
    expect([answer.status, codeOf(answer)]).toEqual([400, 'InvalidArgument']);
  });

  it('refuses an upload ID the store could not have issued (404 NoSuchUpload), for parts and completions', async () => {
    const complete = '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>';
    for (const uploadId of ['u', '../../../labelcast-private', '../../../../victim', 'ABCDEF0123456789ABCDEF0123456789']) {
      const part = await signed(uploader, 'PUT', `/${media}/uploads/x.txt`, { partNumber: '1', uploadId }, { body: 'part' });
      const completed = await signed(uploader, 'POST', `/${media}/uploads/x.txt`, { uploadId }, { body: complete });
      expect([part.status, codeOf(part)]).toEqual([404, 'NoSuchUpload']);
      expect([completed.status, codeOf(completed)]).toEqual([404, 'NoSuchUpload']);
    }
    expect(existsSync(path.join(localS3.dataDir, 'buckets', secrets))).toBe(true);
    expect((await localS3.s3.readObject(secrets, 'secret.txt'))?.toString()).toBe('secret');
    expect(filesOutsideData()).toEqual([]);
  });

  it("refuses another key's upload, or one never started (404 NoSuchUpload)", async () => {
    const others = await startUpload(admin, media, 'originals/y.jpg');
    const complete = '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>';
    const part = await signed(uploader, 'PUT', `/${media}/uploads/x.txt`, { partNumber: '1', uploadId: others }, { body: 'part' });
    const completed = await signed(uploader, 'POST', `/${media}/uploads/x.txt`, { uploadId: others }, { body: complete });
    const neverStarted = await signed(uploader, 'PUT', `/${media}/uploads/x.txt`, { partNumber: '1', uploadId: 'abcdef0123456789abcdef0123456789' }, { body: 'p' });
    expect([part.status, codeOf(part)]).toEqual([404, 'NoSuchUpload']);
    expect([completed.status, codeOf(completed)]).toEqual([404, 'NoSuchUpload']);
    expect([neverStarted.status, codeOf(neverStarted)]).toEqual([404, 'NoSuchUpload']);
    expect(await localS3.s3.readObject(media, 'originals/y.jpg')).toBeUndefined();
  });

  it('checks the part numbers of a completion as those of its parts, and completes a valid upload with S3\'s Location', async () => {
    const uploadId = await startUpload(uploader, media, 'uploads/whole.txt');
    const { ETag } = await client(uploader).send(
      new UploadPartCommand({ Bucket: media, Key: 'uploads/whole.txt', UploadId: uploadId, PartNumber: 1, Body: 'whole bytes' }),
    );
    const completion = (partNumber: string) =>
      `<CompleteMultipartUpload><Part><PartNumber>${partNumber}</PartNumber><ETag>${ETag!.replaceAll('"', '&quot;')}</ETag></Part></CompleteMultipartUpload>`;
    for (const partNumber of ['../../../labelcast-private/secret.txt._S3rver_object', '0', ' 1 ', '1e0']) {
      const answer = await signed(uploader, 'POST', `/${media}/uploads/whole.txt`, { uploadId }, { body: completion(partNumber) });
      expect([answer.status, codeOf(answer)]).toEqual([400, 'InvalidArgument']);
    }
    const noPart = await signed(uploader, 'POST', `/${media}/uploads/whole.txt`, { uploadId }, { body: '<CompleteMultipartUpload/>' });
    expect([noPart.status, codeOf(noPart)]).toEqual([400, 'MalformedXML']);

    const done = await signed(uploader, 'POST', `/${media}/uploads/whole.txt`, { uploadId }, { body: completion('1') });
    expect(done.status).toBe(200);
    expect(/<Location>([^<]*)<\/Location>/.exec(done.body)?.[1]).toBe(`${localS3.endpoint}/${media}/uploads/whole.txt`);
    expect((await localS3.s3.readObject(media, 'uploads/whole.txt'))?.toString()).toBe('whole bytes');
  });
});

describe('DeleteObjects', () => {
  const deleteBody = (...objects: string[]) => `<Delete>${objects.join('')}</Delete>`;

  it('decides every key the body names as storage reads it: a spaced tag names its key to IAM too', async () => {
    await client().send(new PutObjectCommand({ Bucket: media, Key: 'secret.txt', Body: 'secret' }));
    for (const body of [
      deleteBody('<Object><Key >secret.txt</Key></Object>'),
      deleteBody('<Object>\n  <Key\n>secret.txt</Key\n>\n</Object>'),
      deleteBody('<Object><Key>secret&#46;txt</Key></Object>'),
    ]) {
      // S3 reports a key the signer may not delete in its result (200), named as IAM read it.
      const answer = await signed(uploader, 'POST', `/${media}`, { delete: '' }, { body });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('<Error><Key>secret.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      expect(answer.body).not.toContain('<Deleted>');
    }
    expect((await localS3.s3.readObject(media, 'secret.txt'))?.toString()).toBe('secret');
  });

  it('deletes each key as written, numeric text and spaces kept, entities decoded, and answers as S3 does', async () => {
    for (const key of ['007', ' 007 ', 'a&b/c']) await client().send(new PutObjectCommand({ Bucket: media, Key: key, Body: key }));
    const answer = await signed(admin, 'POST', `/${media}`, { delete: '' }, {
      body: deleteBody('<Object><Key>007</Key></Object>', '<Object><Key> 007 </Key></Object>', '<Object><Key>a&amp;b&#x2F;c</Key></Object>', '<Object><Key>missing</Key></Object>'),
    });
    expect(answer.status).toBe(200);
    expect([...answer.body.matchAll(/<Deleted><Key>([^<]*)<\/Key><\/Deleted>/g)].map((match) => match[1])).toEqual(['007', ' 007 ', 'a&amp;b/c', 'missing']);
    for (const key of ['007', ' 007 ', 'a&b/c']) expect(await localS3.s3.readObject(media, key)).toBeUndefined();

    await client().send(new PutObjectCommand({ Bucket: media, Key: 'quiet', Body: 'q' }));
    const quiet = await client().send(new DeleteObjectsCommand({ Bucket: media, Delete: { Objects: [{ Key: 'quiet' }], Quiet: true } }));
    expect([quiet.Deleted ?? [], quiet.Errors ?? []]).toEqual([[], []]);
    expect(await localS3.s3.readObject(media, 'quiet')).toBeUndefined();
  });

  it('refuses a body that is no Delete of 1 to 1,000 Objects, each with one Key (400 MalformedXML)', async () => {
    const objects = (count: number) => Array.from({ length: count }, (_, index) => `<Object><Key>k${index}</Key></Object>`);
    for (const body of [
      'not xml',
      '<Delete><Object><Key>a</Key></Object>',
      deleteBody('<Object><VersionId>v</VersionId></Object>'),
      deleteBody('<Object><Key>a</Key><Key>b</Key></Object>'),
      deleteBody('<Object><Key>a&nbsp;b</Key></Object>'),
      deleteBody('<Object><Key>a</Key></Object>', '<Quiet>maybe</Quiet>'),
      deleteBody(),
      deleteBody(...objects(1001)),
      '<Other><Object><Key>a</Key></Object></Other>',
    ]) {
      const answer = await signed(admin, 'POST', `/${media}`, { delete: '' }, { body });
      expect([answer.status, codeOf(answer)]).toEqual([400, 'MalformedXML']);
    }
    const thousand = await signed(admin, 'POST', `/${media}`, { delete: '' }, { body: deleteBody(...objects(1000)) });
    expect(thousand.status).toBe(200);
  });
});

describe('the Host header', () => {
  it("never steers storage: a bucket's virtual host name stores into the bucket the path names, the one IAM checked", async () => {
    for (const [host, key] of [
      [`${secrets}.s3.amazonaws.com`, 'uploads/host.txt'],
      [`${secrets}.s3-website-us-east-1.amazonaws.com`, 'uploads/site.txt'],
    ]) {
      const answer = await signed(uploader, 'PUT', `/${media}/${key}`, {}, { body: 'by path', host });
      expect(await localS3.s3.readObject(secrets, `${media}/${key}`)).toBeUndefined();
      expect(answer.status).toBe(200);
      expect((await localS3.s3.readObject(media, key))?.toString()).toBe('by path');
    }
  });
});
