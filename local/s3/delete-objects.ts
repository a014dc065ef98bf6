/**
 * DeleteObjects answered by the local S3 itself, in place of s3rver's controller (as list-objects.ts answers
 * listings): admission reads the body once (xml-body.ts), IAM decides s3:DeleteObject on each key of that list
 * (authorize-request.ts), and the controller here deletes exactly the keys IAM allowed, the list and IAM's decision on
 * each key handed on together with the request. s3rver read the body again with a parser of its own, which found keys
 * IAM's reading had not (`<Key >secret</Key>`) and turned `<Key>007</Key>` into a number (a 500).
 *
 * The answer is S3's (API Reference, DeleteObjects): 200 with a `Deleted` entry for each key deleted (one that was
 * missing too), none in Quiet mode, and, Quiet or not, an `Error` entry for each key that was not: S3 authorizes
 * DeleteObjects key by key, so a key IAM denies is `<Error><Key/><Code>AccessDenied</Code><Message>Access
 * Denied</Message></Error>` while the others are deleted. The body is MalformedXML when it is no `<Delete>` with 1 to 1,000 `<Object>`s
 * that each hold one `<Key>`. S3 requires Content-MD5 or an x-amz-checksum-* header on DeleteObjects; the local S3
 * does not (admission checks a CRC32 that is given), as before.
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { s3Error, type S3Error } from './errors.ts';
import { asElement, isCdata, malformedXml, parseXmlBody, textOf } from './xml-body.ts';

/** The most keys one DeleteObjects may name. */
export const maxKeysPerDeleteObjects = 1000;

export interface DeleteObjectsList {
  readonly quiet: boolean;
  /** In the body's order, as written (a key named twice is listed twice). */
  readonly keys: readonly string[];
}

const quietValues: Readonly<Record<string, boolean>> = { true: true, '1': true, false: false, '0': false };

/** The keys a DeleteObjects body names, or S3's refusal of the body. */
export function parseDeleteObjects(body: Buffer): DeleteObjectsList | S3Error {
  const deleteElement = asElement(parseXmlBody(body)?.Delete);
  const objects = deleteElement?.Object;
  if (!deleteElement || !Array.isArray(objects) || objects.length === 0 || objects.length > maxKeysPerDeleteObjects) return malformedXml();
  const keys: string[] = [];
  for (const object of objects) {
    const value = asElement(object)?.Key;
    if (isCdata(value)) return s3Error('NotImplemented', 'A Key in a CDATA section is not supported by the local S3.');
    const key = textOf(value);
    if (key === undefined || key === '') return malformedXml();
    keys.push(key);
  }
  let quiet = false;
  if (deleteElement.Quiet !== undefined) {
    // xs:boolean: surrounding spaces are allowed.
    const text = textOf(deleteElement.Quiet)?.trim();
    if (text === undefined || !(text in quietValues)) return malformedXml();
    quiet = quietValues[text];
  }
  return { quiet, keys };
}

/** A DeleteObjects as IAM decided it: each key of the body, in its order, with whether the signer may delete it. */
export interface DecidedDeleteObjects {
  readonly quiet: boolean;
  readonly keys: readonly { readonly key: string; readonly allowed: boolean }[];
}

/** The decided list, by the request s3rver is handed (server.ts's replay). */
const handedOn = new WeakMap<IncomingMessage, DecidedDeleteObjects>();

/** Hands the list IAM decided on with the request s3rver serves. */
export function handOnDeleteObjects(request: IncomingMessage, decided: DecidedDeleteObjects): void {
  handedOn.set(request, decided);
}

/** What S3 puts in DeleteResult for a key the signer may not delete (API Reference, DeleteObjects' example). */
const accessDenied = { Code: 'AccessDenied', Message: 'Access Denied' } as const;

interface DeleteObjectsContext {
  readonly req: IncomingMessage;
  readonly params: { readonly bucket: string };
  readonly store: { existsObject(bucket: string, key: string): Promise<boolean>; deleteObject(bucket: string, key: string): Promise<unknown> };
  body: unknown;
}

async function deleteMultipleObjects(ctx: DeleteObjectsContext): Promise<void> {
  const list = handedOn.get(ctx.req);
  // Every request reaches s3rver through server.ts, which hands the list on: a request without one was never checked.
  if (list === undefined) throw new Error('DeleteObjects reached storage without the keys IAM checked');
  const deleted: { Key: string }[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  // One at a time: a key named twice is deleted once, then found missing.
  for (const { key, allowed } of list.keys) {
    // Whether a denied key exists is not looked up: its answer is the same either way.
    if (!allowed) {
      errors.push({ Key: key, ...accessDenied });
      continue;
    }
    try {
      if (await ctx.store.existsObject(ctx.params.bucket, key)) await ctx.store.deleteObject(ctx.params.bucket, key);
      deleted.push({ Key: key });
    } catch (error) {
      console.error('[local-s3] DeleteObjects could not delete a key', error);
      errors.push({ Key: key, Code: 'InternalError', Message: 'We encountered an internal error. Please try again.' });
    }
  }
  ctx.body = {
    DeleteResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Deleted: list.quiet ? [] : deleted,
      Error: errors,
    },
  };
}

/**
 * Makes s3rver answer DeleteObjects with `deleteMultipleObjects` above. s3rver's router calls the controller through
 * its module object, which every s3rver instance of the process shares, so this is done once for all.
 */
export function answerDeleteObjectsAsS3(): void {
  const controller = createRequire(import.meta.url)('s3rver/lib/controllers/object') as { deleteMultipleObjects: unknown };
  controller.deleteMultipleObjects = deleteMultipleObjects;
}
