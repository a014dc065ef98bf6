/**
 * Local S3's listings, keys and request targets, as S3 has them: ListObjectsV2 pages by continuation token, common
 * prefixes count toward MaxKeys, every distinct key is a distinct object (`a//b`, `a/b`, `/a`, `a/`, `a/./b`…), and a
 * target in absolute form, or a copy source, names the same bucket and key to the signature, IAM and storage.
 */
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../local/iam/credentials.ts';
import { keyOfStoredPath, storedKeyPath } from '../../local/s3/stored-keys.ts';
import { useLocalS3 } from '../support/local-s3.ts';

const bucket = 'labelcast-listings';
const admin: LocalCredentials = { accessKeyId: 'LKIAS3LISTINGS00001', secretAccessKey: 'local-s3-secret-listings-0123456789abcd' };
/** May read and write `uploads/*` of the bucket, nothing else. */
const reader: LocalCredentials = { accessKeyId: 'LKIAS3LISTREADER001', secretAccessKey: 'local-s3-secret-reader-0123456789abcdef' };

const localS3 = useLocalS3({
  dirPrefix: 'labelcast-s3-listings-',
  admin,
  roles: [{ name: 'reader', credentials: reader, statements: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${bucket}/uploads/*` }] }],
  buckets: [{ name: bucket }],
  clientConfig: { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' },
});

const client = (credentials: LocalCredentials = admin) => localS3.client(credentials);

const put = (key: string, body = key) => client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const read = async (key: string) => (await client().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function refusal(work: Promise<unknown>): Promise<[number | undefined, string, string]> {
  const error = await work.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof S3ServiceException)) throw new Error(`not refused as S3 refuses: ${String(error)}`);
  return [error.$metadata.httpStatusCode, error.name, error.message];
}

describe('ListObjectsV2 pages', () => {
  const keys = Array.from({ length: 7 }, (_, index) => `paged/${index}.txt`);
  beforeAll(async () => {
    for (const key of keys) await put(key);
  });

  it('pages every key once by continuation token (paginateListObjectsV2), from StartAfter too', async () => {
    const pages: { keys: string[]; keyCount?: number; truncated?: boolean }[] = [];
    for await (const page of paginateListObjectsV2({ client: client(), pageSize: 3 }, { Bucket: bucket, Prefix: 'paged/' })) {
      pages.push({ keys: (page.Contents ?? []).map((entry) => entry.Key!), keyCount: page.KeyCount, truncated: page.IsTruncated });
    }
    expect(pages.map((page) => page.keys.length)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.keyCount)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.truncated)).toEqual([true, true, false]);
    expect(pages.flatMap((page) => page.keys)).toEqual(keys);

    const after: string[] = [];
    for await (const page of paginateListObjectsV2({ client: client(), pageSize: 2 }, { Bucket: bucket, Prefix: 'paged/', StartAfter: keys[2] })) {
      expect(page.StartAfter).toBe(keys[2]);
      after.push(...(page.Contents ?? []).map((entry) => entry.Key!));
    }
    expect(after).toEqual(keys.slice(3));
  });

  it('refuses a continuation token it did not issue, or issued for another bucket (400 InvalidArgument)', async () => {
    const first = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'paged/', MaxKeys: 2 }));
    expect(first.NextContinuationToken).toBeDefined();
    const next = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'paged/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    expect(next.ContinuationToken).toBe(first.NextContinuationToken);
    expect(next.Contents?.map((entry) => entry.Key)).toEqual(keys.slice(2, 4));

    const otherBucket = Buffer.from(JSON.stringify(['another-bucket', 'paged/1.txt'])).toString('base64url');
    for (const token of ['not-a-token', `${first.NextContinuationToken!}!`, otherBucket, Buffer.from('paged/1.txt').toString('base64')]) {
      expect(await refusal(client().send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token })))).toEqual([
        400,
        'InvalidArgument',
        'The continuation token provided is incorrect',
      ]);
    }
  });
});

describe('common prefixes', () => {
  // In S3's order: cp/a/ (2 keys), cp/b.txt, cp/c/ (1 key), cp/d.txt, cp/e/ (2 keys).
  const keys = ['cp/a/1', 'cp/a/2', 'cp/b.txt', 'cp/c/1', 'cp/d.txt', 'cp/e/1', 'cp/e/2'];
  beforeAll(async () => {
    for (const key of keys) await put(key);
  });

  it('counts each common prefix as one entry toward MaxKeys, the last one returned naming the next page (ListObjectsV2)', async () => {
    const first = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'cp/', Delimiter: '/', MaxKeys: 2 }));
    expect(first.CommonPrefixes?.map((entry) => entry.Prefix)).toEqual(['cp/a/']);
    expect(first.Contents?.map((entry) => entry.Key)).toEqual(['cp/b.txt']);
    expect([first.KeyCount, first.IsTruncated]).toEqual([2, true]);

    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client: client(), pageSize: 2 }, { Bucket: bucket, Prefix: 'cp/', Delimiter: '/' })) {
      const entries = [...(page.CommonPrefixes ?? []).map((entry) => entry.Prefix!), ...(page.Contents ?? []).map((entry) => entry.Key!)];
      expect(entries.length).toBeLessThanOrEqual(2);
      expect(page.KeyCount).toBe(entries.length);
      pages.push(entries.sort(byBytes));
    }
    expect(pages).toEqual([['cp/a/', 'cp/b.txt'], ['cp/c/', 'cp/d.txt'], ['cp/e/']]);
  });

  it('counts them so in ListObjects, NextMarker naming a common prefix when one ends the page', async () => {
    const first = await client().send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'cp/', Delimiter: '/', MaxKeys: 3 }));
    expect(first.CommonPrefixes?.map((entry) => entry.Prefix)).toEqual(['cp/a/', 'cp/c/']);
    expect(first.Contents?.map((entry) => entry.Key)).toEqual(['cp/b.txt']);
    expect([first.IsTruncated, first.NextMarker]).toEqual([true, 'cp/c/']);

    const rest = await client().send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'cp/', Delimiter: '/', MaxKeys: 3, Marker: first.NextMarker }));
    expect(rest.CommonPrefixes?.map((entry) => entry.Prefix)).toEqual(['cp/e/']);
    expect(rest.Contents?.map((entry) => entry.Key)).toEqual(['cp/d.txt']);
    expect([rest.IsTruncated, rest.NextMarker]).toEqual([false, undefined]);
  });
});

describe('listing order', () => {
  // A 200-byte segment is one file; a longer one a chain of pieces (`x`*199 then `€`: a piece under 200 bytes), whose
  // keys fall among those of a file or directory named like its first piece: the listing reads them together.
  const short = 'x'.repeat(199);
  const full = 'p'.repeat(200);
  const keys = [
    'ord/a', 'ord/a.b', 'ord/a/1', 'ord/a/2', 'ord/a/b/c', 'ord/a0', 'ord/é/1', 'ord/z',
    `ord/${full}`, `ord/${full}x`, `ord/${full}/y`, `ord/${full}.z`, `ord/${full}xx/q`,
    `ord/${short}`, `ord/${short}€`, `ord/${short}a`, `ord/${short}/k`, `ord/${short}€/m`,
  ];
  const sorted = [...keys].sort(byBytes);
  beforeAll(async () => {
    for (const key of keys) await put(key);
  });

  it('lists the keys in the order of their bytes of UTF-8 from any StartAfter, pieces of long segments among them', async () => {
    const listed = async (startAfter: string, delimiter?: string) => {
      const entries: string[] = [];
      for await (const page of paginateListObjectsV2({ client: client(), pageSize: 2 }, { Bucket: bucket, Prefix: 'ord/', StartAfter: startAfter, Delimiter: delimiter })) {
        entries.push(...[...(page.CommonPrefixes ?? []).map((entry) => entry.Prefix!), ...(page.Contents ?? []).map((entry) => entry.Key!)].sort(byBytes));
      }
      return entries;
    };
    const folded = (startAfter: string) => [
      ...new Set(
        sorted
          .filter((key) => byBytes(key, startAfter) > 0)
          .map((key) => (key.indexOf('/', 4) < 0 ? key : key.slice(0, key.indexOf('/', 4) + 1)))
          .filter((entry) => byBytes(entry, startAfter) > 0),
      ),
    ];
    for (const startAfter of ['', ...sorted, 'ord/a/', 'ord/a/b', `ord/${short}/`, `ord/${full}/`, `ord/${full}x/`]) {
      expect(await listed(startAfter)).toEqual(sorted.filter((key) => byBytes(key, startAfter) > 0));
      expect(await listed(startAfter, '/')).toEqual(folded(startAfter));
    }
  });
});

describe('keys', () => {
  // Each pair collided in s3rver's file store (path.join drops an empty segment and resolves `.` and `..`), or was refused.
  const keys = ['k/a/b', 'k/a//b', 'k/a', 'k/a/', 'k/a//', 'k//a', 'k/a/./b', 'k/a/../b', 'k/b', 'k/.', 'k/..', 'k/./', 'k/../', `k/${'x'.repeat(200)}./b`, `k/${'x'.repeat(200)}b`];

  it('stores every distinct key as a distinct object, and lists each one', async () => {
    for (const key of keys) await put(key, `body of ${key}`);
    for (const key of keys) expect(await read(key)).toBe(`body of ${key}`);
    const listed = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'k/' }));
    expect(listed.Contents?.map((entry) => entry.Key)).toEqual([...keys].sort(byBytes));
    const folders = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'k/a/', Delimiter: '/' }));
    expect(folders.Contents?.map((entry) => entry.Key)).toEqual(['k/a/', 'k/a/b']);
    expect(folders.CommonPrefixes?.map((entry) => entry.Prefix)).toEqual(['k/a/../', 'k/a/./', 'k/a//']);
  });

  it('URL-encodes the keys and prefixes of a listing asked with encoding-type=url (as the AWS CLI asks), and no other encoding', async () => {
    await put('k/space and+plus%.txt');
    const encoded = await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'k/', EncodingType: 'url' }));
    expect(encoded.EncodingType).toBe('url');
    expect(encoded.Prefix).toBe('k%2F');
    expect(encoded.Contents?.map((entry) => entry.Key)).toContain('k%2Fspace%20and%2Bplus%25.txt');
    expect(encoded.Contents?.map((entry) => decodeURIComponent(entry.Key!))).toEqual([...keys, 'k/space and+plus%.txt'].sort(byBytes));
    const refused = await refusal(client().send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'base64' as 'url' })));
    expect(refused).toEqual([400, 'InvalidArgument', 'Invalid Encoding Method specified in Request']);
  });

  it('maps keys to paths one to one, and a key without such segments where it always was', () => {
    const storedPaths = keys.map(storedKeyPath);
    expect(new Set(storedPaths).size).toBe(keys.length);
    for (const [index, stored] of storedPaths.entries()) {
      // s3rver joins the names, its suffix added to the last: every name is kept, nothing dropped or resolved.
      const names = ['bucket', ...stored.split('/')];
      names.push(`${names.pop()!}._S3rver_object`);
      expect(path.posix.join(...names)).toBe(names.join('/'));
      expect(keyOfStoredPath(stored)).toBe(keys[index]);
    }
    expect(storedKeyPath('uploads/2026/photo 1.jpg')).toBe('uploads/2026/photo 1.jpg');
    expect(storedKeyPath('uploads/folder/')).toBe('uploads/folder/');
  });
});

describe('request targets and copy sources', () => {
  /** A signed GET of `pathname` whose request line names `target` instead (absolute form, say). */
  async function signedGet(credentials: LocalCredentials, pathname: string, target: string): Promise<[number | undefined, string]> {
    const endpoint = new URL(localS3.endpoint);
    const headers = await localS3.signedHeaders(credentials, { method: 'GET', path: pathname, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    return new Promise((resolve, reject) => {
      const sent = httpRequest({ host: endpoint.hostname, port: endpoint.port, method: 'GET', path: target, headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve([response.statusCode, body]));
      });
      sent.on('error', reject);
      sent.end();
    });
  }

  it('reads an absolute-form target as the signature does: IAM checks the bucket and key it names', async () => {
    await put('uploads/absolute.txt', 'absolute bytes');
    await put('private/absolute.txt', 'private bytes');
    const absolute = (pathname: string) => `${localS3.endpoint}${pathname}`;
    expect(await signedGet(reader, `/${bucket}/uploads/absolute.txt`, absolute(`/${bucket}/uploads/absolute.txt`))).toEqual([200, 'absolute bytes']);
    const [status, body] = await signedGet(reader, `/${bucket}/private/absolute.txt`, absolute(`/${bucket}/private/absolute.txt`));
    expect(status).toBe(403);
    expect(body).toContain(`on resource: arn:aws:s3:::${bucket}/private/absolute.txt`);
  });

  it('copies the source IAM checked: reserved characters decoded, no `..` or query read past IAM into the key', async () => {
    const sources = ['uploads/a+b', 'uploads/a?b', 'uploads/a#b', 'uploads/100%', 'uploads/a//b'];
    for (const key of sources) await put(key, `source ${key}`);
    for (const key of sources) {
      const copySource = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      await client(reader).send(new CopyObjectCommand({ Bucket: bucket, Key: `uploads/copy of ${key}`, CopySource: copySource }));
      expect(await read(`uploads/copy of ${key}`)).toBe(`source ${key}`);
    }

    // IAM read `uploads/x` (the query cut off), where s3rver read the key `uploads/x?/../../private/y` and path.join resolved it.
    await put('private/y', 'private bytes');
    expect(await refusal(client(reader).send(new GetObjectCommand({ Bucket: bucket, Key: 'private/y' })))).toEqual([403, 'AccessDenied', expect.any(String)]);
    const escape = new CopyObjectCommand({ Bucket: bucket, Key: 'uploads/stolen', CopySource: `${bucket}/uploads/x?/../../private/y` });
    expect((await refusal(client(reader).send(escape))).slice(0, 2)).toEqual([501, 'NotImplemented']);
    expect(await localS3.s3.readObject(bucket, 'uploads/stolen')).toBeUndefined();
  });

  it('refuses a bucket name that is no bucket, such as `..`, before storage joins it to a path (InvalidBucketName)', async () => {
    await put('uploads/escaped.txt', 'not to be read through another bucket');
    const [status, body] = await signedGet(admin, `/../buckets/${bucket}/uploads/escaped.txt`, `/../buckets/${bucket}/uploads/escaped.txt`);
    expect(status).toBe(400);
    expect(body).toContain('<Code>InvalidBucketName</Code>');
  });
});
