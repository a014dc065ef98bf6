/**
 * Where s3rver's file store keeps a key, for keys S3 takes and a file system does not.
 *
 * s3rver stores each segment of a key but the last as a directory and the last as file names with its own suffix
 * (`<segment>._S3rver_metadata.json`), so a segment longer than the file system's longest name (NAME_MAX, 255 bytes
 * on Linux and macOS) less that suffix failed with ENAMETOOLONG (a 500), where S3 takes any key of up to 1,024 bytes.
 * Here a segment over `maxStoredSegmentBytes` is stored as a chain of directories instead, each holding a piece of
 * it and named `<piece>._S3rver_more`, the last piece named as s3rver names a segment.
 *
 * S3 keys are opaque strings, but s3rver joins a key's segments into a path (path.join), which drops an empty
 * segment and resolves `.` and `..`: `a//b` and `a/./b` were stored where `a/b` is, `/a` where `a` is, `a/../b` where
 * `b` is (`.` and `..` were refused for that). A directory named ``, `.` or `..` is stored as `<name>._S3rver_dir`
 * instead (the last segment needs none: s3rver adds its suffix to it, so `a/` is the file `a/._S3rver_object`). Keys
 * holding `._S3rver_` are refused before they reach the store (isStorableKey), so a stored path decodes to exactly
 * one key, and a key without such segments is stored where it always was.
 *
 * s3rver's own listing would answer the stored paths, not the keys, and skip directories by the stored path, so
 * ListObjects is answered here from the decoded keys, in S3's order (the bytes of their UTF-8).
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Ends the name of a directory that holds a piece of a long segment, continued inside it. */
const continuedSuffix = '._S3rver_more';
/** Ends the name of a directory whose name (``, `.` or `..`) a path cannot hold. */
const directorySuffix = '._S3rver_dir';
/** s3rver's suffix of an object's own file. */
const objectSuffix = '._S3rver_object';
/**
 * The longest piece of a segment in one name: leaves room for the longest suffix s3rver adds to a last segment
 * (`._S3rver_metadata.json`, 22 bytes) or this module to a piece (13 bytes) under NAME_MAX.
 */
export const maxStoredSegmentBytes = 200;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** A segment as the pieces it is stored in, cut between characters. */
function pieces(segment: string): string[] {
  if (byteLength(segment) <= maxStoredSegmentBytes) return [segment];
  const cut: string[] = [];
  let piece = '';
  for (const char of segment) {
    if (byteLength(piece) + byteLength(char) > maxStoredSegmentBytes) {
      cut.push(piece);
      piece = '';
    }
    piece += char;
  }
  cut.push(piece);
  return cut;
}

/** Names path.join would drop or resolve rather than keep as a directory. */
const unjoinable = new Set(['', '.', '..']);

/** The path, relative to its bucket's directory, that s3rver is given for the key. */
export function storedKeyPath(key: string): string {
  const names = key
    .split('/')
    .map((segment) => pieces(segment).join(`${continuedSuffix}/`))
    .join('/')
    .split('/');
  // Every name but the last is a directory's (the last piece of a long segment too: it may be `.`).
  return names.map((name, index) => (index < names.length - 1 && unjoinable.has(name) ? `${name}${directorySuffix}` : name)).join('/');
}

/** The key a stored path (relative to its bucket's directory) holds. */
export function keyOfStoredPath(stored: string): string {
  return stored.replaceAll(`${continuedSuffix}/`, '').replaceAll(`${directorySuffix}/`, '/');
}

const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

interface ListOptions {
  readonly delimiter?: string;
  readonly startAfter?: string;
  readonly prefix?: string;
  readonly maxKeys?: number;
}

/** What listObjects answers. */
export interface StoredListing {
  /** s3rver's S3Object of each key listed. */
  readonly objects: readonly { readonly key: string; readonly lastModifiedDate: Date; readonly metadata: Readonly<Record<string, string>>; readonly size: number }[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** When truncated, the last entry returned (a key or a common prefix): the next page starts after it. */
  readonly nextMarker?: string;
}

/** What of s3rver's FilesystemStore this module replaces or uses. */
export interface KeyedStore {
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<unknown>;
  listObjects(bucket: string, options: ListOptions): Promise<unknown>;
}

type S3ObjectConstructor = new (bucket: string, key: string, content: null, metadata: unknown) => StoredListing['objects'][number];

/** A directory's entry, as the keys it holds: one key (an object's file), or every key starting with `prefix` (a directory). */
type StoredEntry =
  | { readonly key: string; readonly bytes: Buffer }
  | { readonly prefix: string; readonly bytes: Buffer; readonly directory: string; readonly stored: string };

/** The entries of one directory of the store, unsorted; none when it is gone. */
async function entriesOf(directory: string, stored: string): Promise<StoredEntry[]> {
  let dirents;
  try {
    dirents = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: StoredEntry[] = [];
  for (const entry of dirents) {
    if (entry.isFile() && entry.name.endsWith(objectSuffix)) {
      const key = keyOfStoredPath(stored + entry.name.slice(0, -objectSuffix.length));
      entries.push({ key, bytes: Buffer.from(key, 'utf8') });
      continue;
    }
    // s3rver's own directories (`._S3rver_uploads`, multipart uploads in progress) hold no key.
    const ours = entry.name.endsWith(continuedSuffix) || entry.name.endsWith(directorySuffix);
    if (!entry.isDirectory() || (entry.name.includes('._S3rver_') && !ours)) continue;
    const prefix = keyOfStoredPath(`${stored}${entry.name}/`);
    entries.push({ prefix, bytes: Buffer.from(prefix, 'utf8'), directory: path.join(directory, entry.name), stored: `${stored}${entry.name}/` });
  }
  return entries;
}

const startsWith = (bytes: Buffer, prefix: Buffer) => bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);

/**
 * The keys stored under a directory of the bucket, in S3's order (bytes of UTF-8), read as they are asked for: a
 * listing that stops after a page reads no further, and a directory whose keys all sort at or before `after`, or
 * that `passOver` says hold nothing the listing returns (keys outside the prefix, or inside a common prefix already
 * returned), is not read at all. Every key a directory holds starts with its prefix (`name/` for a directory, the
 * piece itself for a piece of a long segment), and the keys that start with one prefix sort together, so a
 * directory's keys come in the order of its prefix among its neighbours'. The exception is a piece of a long
 * segment whose prefix begins another entry's (`<piece>x`, `<piece>/`, whose keys fall among the piece's): such
 * entries are read together and sorted.
 */
async function* storedKeys(directory: string, stored: string, after: Buffer, passOver: (prefix: string) => boolean): AsyncGenerator<readonly string[]> {
  // Keys at or before `after`, and directories whose every key is, are dropped before sorting.
  const entries = (await entriesOf(directory, stored)).filter((entry) =>
    'key' in entry ? Buffer.compare(entry.bytes, after) > 0 : Buffer.compare(entry.bytes, after) > 0 || startsWith(after, entry.bytes),
  );
  entries.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  for (let index = 0; index < entries.length; ) {
    // A run of objects' keys goes as one batch: a key at a time through every level of directories cost more than the walk.
    const run: string[] = [];
    for (; index < entries.length && 'key' in entries[index]; index += 1) run.push((entries[index] as { readonly key: string }).key);
    if (run.length > 0) yield run;
    if (index >= entries.length) break;
    const entry = entries[index];
    if ('key' in entry) continue;
    let end = index + 1;
    while (end < entries.length && startsWith(entries[end].bytes, entry.bytes)) end += 1;
    if (end === index + 1) {
      if (!passOver(entry.prefix)) yield* storedKeys(entry.directory, entry.stored, after, passOver);
    } else {
      const keys: { key: string; bytes: Buffer }[] = [];
      for (const member of entries.slice(index, end)) {
        if ('key' in member) keys.push(member);
        else for await (const batch of storedKeys(member.directory, member.stored, after, passOver)) for (const key of batch) keys.push({ key, bytes: Buffer.from(key, 'utf8') });
      }
      keys.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
      yield keys.map(({ key }) => key);
    }
    index = end;
  }
}

/**
 * Makes s3rver's store keep every key S3 takes: paths by `storedKeyPath`, and the two operations that read keys back
 * from paths (ListObjects; DeleteObject, which removes the directories it leaves empty) on the decoded keys. To be
 * called before any other wrapper of the store.
 */
export function storeLongKeySegments(store: KeyedStore): void {
  const S3Object = createRequire(import.meta.url)('s3rver/lib/models/object') as S3ObjectConstructor;
  const resourcePath = store.getResourcePath.bind(store);
  store.getResourcePath = (bucket, key, resource) => resourcePath(bucket, key === undefined ? undefined : storedKeyPath(key), resource);

  store.deleteObject = async (bucket, key) => {
    await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) => rm(store.getResourcePath(bucket, key, resource), { force: true })));
    // The directories the key was the last object of, up to (not including) the bucket's own.
    const bucketPath = store.getBucketPath(bucket);
    for (let directory = path.dirname(store.getResourcePath(bucket, key, 'object')); directory.startsWith(bucketPath + path.sep); directory = path.dirname(directory)) {
      try {
        await rmdir(directory);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') break;
        throw error;
      }
    }
  };

  // As S3 lists, in its key order: a common prefix is one entry, counted toward maxKeys where its first key falls.
  store.listObjects = async (bucket, { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity }): Promise<StoredListing> => {
    const commonPrefixes: string[] = [];
    const listed: string[] = [];
    let isTruncated = false;
    /** The last entry returned (a key or a common prefix): where the next page starts after. */
    let last: string | undefined;
    /** Whether no key starting with a directory's prefix can be listed: outside the prefix, or in a common prefix passed. */
    const passOver = (keyPrefix: string): boolean => {
      if (!keyPrefix.startsWith(prefix)) return !prefix.startsWith(keyPrefix);
      const delimiterAt = delimiter ? keyPrefix.indexOf(delimiter, prefix.length) : -1;
      if (delimiterAt < 0) return false;
      // Every key of the directory is in this common prefix (its first delimiter is the prefix's).
      const entry = keyPrefix.slice(0, delimiterAt + delimiter.length);
      return entry === last || compareKeys(entry, startAfter) <= 0;
    };
    listing: for await (const batch of storedKeys(store.getBucketPath(bucket), '', Buffer.from(startAfter, 'utf8'), passOver)) {
      for (const key of batch) {
        if (compareKeys(key, startAfter) <= 0 || !key.startsWith(prefix)) continue;
        const delimiterAt = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
        const entry = delimiterAt >= 0 ? key.slice(0, delimiterAt + delimiter.length) : key;
        // A common prefix's keys are consecutive, so it is returned once; one not after startAfter holds startAfter (a
        // page that ended on it, or a marker inside it), and its keys are passed over, as S3 passes a marker's prefix.
        if (entry === last || (delimiterAt >= 0 && compareKeys(entry, startAfter) <= 0)) continue;
        if (listed.length + commonPrefixes.length >= maxKeys) {
          isTruncated = true;
          break listing;
        }
        (delimiterAt >= 0 ? commonPrefixes : listed).push(entry);
        last = entry;
      }
    }
    const metadata = await Promise.all(
      listed.map((key) =>
        store.getMetadata(bucket, key).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }),
      ),
    );
    return {
      objects: listed.flatMap((key, index) => (metadata[index] === undefined ? [] : [new S3Object(bucket, key, null, metadata[index])])),
      commonPrefixes,
      isTruncated,
      nextMarker: isTruncated ? last : undefined,
    };
  };
}
