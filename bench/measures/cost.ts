/**
 * Cost per image, measured: a set of the bench's photos goes through the
 * whole pipeline (requestUpload, PUT, labeler, push, search entries, catalog)
 * one at a time, and what the stack really did for them is read back from
 * its meters: the local DynamoDB's write and read units per table and index
 * and bytes stored (counted as DynamoDB bills them), S3 requests by class,
 * AppSync requests and realtime messages, Lambda GB-seconds, Rekognition
 * calls. The $ figures apply us-east-1 list prices (../prices.ts). Each
 * photo's own write units are read from the same meter as it finishes
 * (afterLastWrite), so the target holds for every photo, not the mean alone.
 */
import { ImagesTableLayout, thresholdsUpTo } from '../../api/table.ts';
import type { Image } from '../../client-example/lib/labelcast-client.ts';
import { indexedNames } from '../../functions/shared/label-index.ts';
import type { BenchContext, MeteredUsage } from '../context.ts';
import { UsEast1Prices as price, wafFixedPerMonth } from '../prices.ts';

/** A bench photo: its bytes and the fixture it was made from (bench/lib/images.ts). */
export interface CostPhoto {
  readonly bytes: Buffer;
  readonly source: string;
}

/** What one photo wrote, as the local DynamoDB's meter counts it, and what its labels index. */
export interface PhotoWrites {
  readonly source: string;
  readonly imageId: string;
  readonly labels: number;
  /** Indexed names: labels, their parents and aliases, distinct. */
  readonly names: number;
  /** Search entries: one per name and confidence threshold at or below it. */
  readonly entries: number;
  /** Table and every index together. */
  readonly writeUnits: number;
  readonly writeUnitsByTarget: Record<string, number>;
}

export interface CostPerImage {
  readonly images: number;
  /** Per image. */
  readonly writeUnits: number;
  readonly writeUnitsByTarget: Record<string, number>;
  /** Each photo's own, in upload order. */
  readonly photos: readonly PhotoWrites[];
  /** Write units of the run no photo's own reading held (the whole run's minus the photos' sum): 0 when nothing else wrote. */
  readonly unattributedWriteUnits: number;
  readonly readUnits: number;
  readonly storedBytes: number;
  readonly s3Requests: Record<string, number>;
  readonly appSyncRequests: number;
  readonly realtimeMessages: number;
  readonly lambdaGbSeconds: number;
  readonly lambdaInvocations: number;
  readonly rekognitionCalls: number;
  /** $ per 1,000 images. */
  readonly dollarsPerThousand: { readonly rekognition: number; readonly dynamoDb: number; readonly s3: number; readonly appSync: number; readonly waf: number; readonly lambda: number; readonly rest: number };
}

/** The meter's counts stop moving once the labeler's last writes (entries, catalog) are done. */
async function settledUsage(context: BenchContext): Promise<MeteredUsage> {
  let last = JSON.stringify(await context.usage());
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const now = await context.usage();
    if (JSON.stringify(now) === last) return now;
    last = JSON.stringify(now);
  }
}

/** Write units so far, by table and index name (an index's name alone, as the bench rows show them). */
function unitsByTarget(usage: MeteredUsage): Record<string, number> {
  const byTarget: Record<string, number> = {};
  for (const [tableName, table] of Object.entries(usage.tables)) {
    byTarget[tableName] = (byTarget[tableName] ?? 0) + table.writeUnits;
    for (const [indexName, index] of Object.entries(table.indexes)) byTarget[indexName] = (byTarget[indexName] ?? 0) + index.writeUnits;
  }
  return byTarget;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);

/** Bytes the images table's byStatus index holds now, against the meter's start. */
const statusIndexBytes = (usage: MeteredUsage, tableName: string) =>
  usage.tables[tableName]?.indexes[ImagesTableLayout.byStatusIndex.indexName]?.storedBytes ?? 0;

/** Longer than any image's entries and catalog claims take after its push, even on a loaded machine. */
const lastWriteTimeoutMs = 120_000;

/**
 * The meter once the image being measured has made its last write. An image
 * is in byStatus from requestUpload until its last write: the catalog claim
 * that follows its search entries and the record of its push (or, with no
 * names, that record) takes it out (README, "DynamoDB cost per image";
 * functions/shared/ended-image.ts). So once byStatus holds no more bytes than
 * before its upload, all it writes is counted, and the meter is read then,
 * every 25 ms, instead of waiting for it to stand still (1.5 s idle a photo).
 */
async function afterLastWrite(context: BenchContext, imageId: string, statusBytesBefore: number): Promise<MeteredUsage> {
  const giveUpAt = Date.now() + lastWriteTimeoutMs;
  for (;;) {
    const usage = await context.usage();
    if (statusIndexBytes(usage, context.tableName) <= statusBytesBefore) return usage;
    if (Date.now() > giveUpAt) throw new Error(`image ${imageId} was still in byStatus ${lastWriteTimeoutMs / 1000} s after its push`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What an image's labels index: distinct names and their search entries (functions/shared/label-index.ts). */
function indexedCounts(image: Image): { names: number; entries: number } {
  const names = indexedNames(image.labels);
  return { names: names.length, entries: names.reduce((total, { confidence }) => total + thresholdsUpTo(confidence).length, 0) };
}

export async function measureCost(context: BenchContext, photos: readonly CostPhoto[]): Promise<CostPerImage> {
  await settledUsage(context);
  await context.resetUsage();
  const engineBefore = await context.engineStats();
  const perPhoto: PhotoWrites[] = [];
  let before = await context.usage();
  for (const { bytes, source } of photos) {
    const image = await context.client.uploadAndWait(bytes);
    if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
    const after = await afterLastWrite(context, image.id, statusIndexBytes(before, context.tableName));
    const [unitsBefore, unitsAfter] = [unitsByTarget(before), unitsByTarget(after)];
    const byTarget = Object.fromEntries(Object.entries(unitsAfter).map(([target, units]) => [target, units - (unitsBefore[target] ?? 0)]));
    perPhoto.push({ source, imageId: image.id, labels: image.labels.length, ...indexedCounts(image), writeUnits: sum(byTarget), writeUnitsByTarget: byTarget });
    before = after;
  }
  const usage = await settledUsage(context);
  const engineAfter = await context.engineStats();
  const count = photos.length;

  const writeUnitsByTarget: Record<string, number> = {};
  let writeUnits = 0;
  let readUnits = 0;
  let storedBytes = 0;
  for (const [tableName, table] of Object.entries(usage.tables)) {
    writeUnitsByTarget[tableName] = table.writeUnits / count;
    writeUnits += table.writeUnits;
    readUnits += table.readUnits;
    storedBytes += table.storedBytes;
    for (const [indexName, index] of Object.entries(table.indexes)) {
      writeUnitsByTarget[indexName] = index.writeUnits / count;
      writeUnits += index.writeUnits;
      readUnits += index.readUnits;
      storedBytes += index.storedBytes;
    }
  }
  const rekognitionCalls = engineAfter.DetectLabels - engineBefore.DetectLabels + (engineAfter.DetectModerationLabels - engineBefore.DetectModerationLabels);
  const { s3, appsync, lambda } = usage.stack;

  const perThousand = (total: number) => (total / count) * 1000;
  const dynamoDb = perThousand(
    (writeUnits * price.dynamoDbPerMillionWriteUnits) / 1e6 + (readUnits * price.dynamoDbPerMillionReadUnits) / 1e6 + (Math.max(0, storedBytes) / 1024 ** 3) * price.dynamoDbPerGbMonth,
  );
  const s3Dollars = perThousand(((s3.PUT + s3.LIST) * price.s3PerThousandPutOrList) / 1000 + ((s3.GET + s3.HEAD) * price.s3PerThousandGetOrHead) / 1000);
  const appSync = perThousand((appsync.requests * price.appSyncPerMillionRequests) / 1e6 + (appsync.realtimeMessages * price.appSyncPerMillionRealtimeMessages) / 1e6);
  const lambdaDollars = perThousand(lambda.gbSeconds * price.lambdaPerGbSecond + (lambda.invocations * price.lambdaPerMillionRequests) / 1e6);
  const rekognition = perThousand(rekognitionCalls * price.rekognitionPerImageCall);
  // WAF bills every request the web ACL inspects: refused ones (a bad key, a WAF block), CORS preflights (OPTIONS) and
  // realtime connects too. The local stack counts only the authenticated GraphQL requests AppSync bills
  // (appsync.requests), so this row is a lower bound.
  const waf = perThousand((appsync.requests * price.wafPerMillionRequests) / 1e6);
  return {
    images: count,
    writeUnits: writeUnits / count,
    writeUnitsByTarget,
    photos: perPhoto,
    unattributedWriteUnits: writeUnits - perPhoto.reduce((total, photo) => total + photo.writeUnits, 0),
    readUnits: readUnits / count,
    storedBytes: storedBytes / count,
    s3Requests: Object.fromEntries(Object.entries(s3).map(([requestClass, requests]) => [requestClass, requests / count])),
    appSyncRequests: appsync.requests / count,
    realtimeMessages: appsync.realtimeMessages / count,
    lambdaGbSeconds: lambda.gbSeconds / count,
    lambdaInvocations: lambda.invocations / count,
    rekognitionCalls: rekognitionCalls / count,
    dollarsPerThousand: { rekognition, dynamoDb, s3: s3Dollars, appSync, waf, lambda: lambdaDollars, rest: dynamoDb + s3Dollars + appSync + waf + lambdaDollars },
  };
}

/** The typical-photo write target of issue 14: table and every index together. */
export const maxWriteUnitsPerImage = 40;
/** Everything but Rekognition at most this share of Rekognition's own price. */
export const maxShareOfRekognition = 0.05;

const dollars = (value: number) => `$${value.toFixed(4)}`;
const units = (value: number) => value.toFixed(1);

const span = (values: readonly number[]) => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return low === high ? `${low}` : `${low}-${high}`;
};

/** Each fixture's photos (bench/lib/images.ts makes several of each): how many, their WCU, names and entries. */
function byFixture(photos: readonly PhotoWrites[]): string {
  const groups = new Map<string, PhotoWrites[]>();
  for (const photo of photos) groups.set(photo.source, [...(groups.get(photo.source) ?? []), photo]);
  return [...groups]
    .map(([source, group]) => {
      const of = (pick: (photo: PhotoWrites) => number) => span(group.map(pick));
      return `${source} x${group.length}: ${of((photo) => photo.writeUnits)} WCU (${of((photo) => photo.names)} names, ${of((photo) => photo.entries)} entries)`;
    })
    .join('; ');
}

/** One line per photo, for the bench's log. */
export const photoLines = (cost: CostPerImage): string[] =>
  cost.photos.map(
    (photo, index) =>
      `photo ${index + 1} (${photo.source}, ${photo.imageId}): ${photo.writeUnits} WCU (${Object.entries(photo.writeUnitsByTarget)
        .map(([target, value]) => `${target} ${value}`)
        .join(', ')}), ${photo.labels} labels, ${photo.names} names, ${photo.entries} entries`,
  );

/** The bench rows of a cost measure. */
export function costRows(cost: CostPerImage, pricesDate: string): { measure: string; value: string; target: string; pass: boolean }[] {
  const perTarget = Object.entries(cost.writeUnitsByTarget)
    .map(([target, value]) => `${target} ${units(value)}`)
    .join(', ');
  const money = cost.dollarsPerThousand;
  const share = money.rest / money.rekognition;
  const max = cost.photos.reduce((most, photo) => (photo.writeUnits > most.writeUnits ? photo : most));
  const unattributed = cost.unattributedWriteUnits === 0 ? '' : `; ${units(cost.unattributedWriteUnits)} WCU of the run no photo's`;
  return [
    {
      measure: `cost: DynamoDB write units per photo (${cost.images} photos): max, mean`,
      value: `max ${max.writeUnits} WCU (${max.source}, photo ${cost.photos.indexOf(max) + 1}: ${max.names} names, ${max.entries} entries); mean ${units(cost.writeUnits)} WCU (${perTarget})${unattributed}`,
      target: `each <= ${maxWriteUnitsPerImage} WCU`,
      // Every photo, the stricter reading of issue 14's "typical photo"; units no photo's reading holds might be one's.
      pass: cost.photos.every((photo) => photo.writeUnits <= maxWriteUnitsPerImage) && cost.unattributedWriteUnits === 0,
    },
    { measure: 'cost: DynamoDB write units of each photo, by fixture', value: byFixture(cost.photos), target: '(info)', pass: true },
    { measure: 'cost: DynamoDB read units per image', value: `${units(cost.readUnits)} RCU`, target: '(info)', pass: true },
    { measure: 'cost: DynamoDB bytes stored per image (table + indexes)', value: `${Math.round(cost.storedBytes)} B`, target: '(info)', pass: true },
    {
      measure: 'cost: S3 requests per image',
      value: Object.entries(cost.s3Requests)
        .map(([requestClass, requests]) => `${requestClass} ${units(requests)}`)
        .join(', '),
      target: '(info)',
      pass: true,
    },
    { measure: 'cost: AppSync requests / realtime messages per image', value: `${units(cost.appSyncRequests)} / ${units(cost.realtimeMessages)}`, target: '(info)', pass: true },
    { measure: 'cost: Lambda per image', value: `${cost.lambdaGbSeconds.toFixed(3)} GB-s in ${units(cost.lambdaInvocations)} runs`, target: '(info)', pass: true },
    { measure: 'cost: Rekognition calls per image', value: units(cost.rekognitionCalls), target: '(info)', pass: true },
    { measure: `$ per 1,000 images: Rekognition (us-east-1 list prices of ${pricesDate})`, value: dollars(money.rekognition), target: '(info)', pass: true },
    {
      measure: '$ per 1,000 images: all else (DynamoDB incl. 1 month stored, S3, AppSync, WAF requests, Lambda)',
      value: `${dollars(money.rest)} = ${(share * 100).toFixed(1)}% (DDB ${dollars(money.dynamoDb)}, S3 ${dollars(money.s3)}, AppSync ${dollars(money.appSync)}, WAF ${dollars(money.waf)}, Lambda ${dollars(money.lambda)})`,
      target: `<= ${maxShareOfRekognition * 100}% of Rekognition`,
      pass: share <= maxShareOfRekognition,
    },
    { measure: '$ a month whatever the traffic: WAF (the rate limit\'s web ACL and its rule)', value: `$${wafFixedPerMonth.toFixed(2)}`, target: '(info)', pass: true },
  ];
}
