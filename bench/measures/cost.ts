/**
 * Cost per image, measured: a set of the bench's photos goes through the
 * whole pipeline (requestUpload, PUT, labeler, push, search entries, catalog)
 * one at a time, and what the stack really did for them is read back from
 * its meters: the local DynamoDB's write and read units per table and index
 * and bytes stored (counted as DynamoDB bills them), S3 requests by class,
 * AppSync requests and realtime messages, Lambda GB-seconds, Rekognition
 * calls. The $ figures apply us-east-1 list prices (../prices.ts).
 */
import type { BenchContext, MeteredUsage } from '../context.ts';
import { UsEast1Prices as price } from '../prices.ts';

export interface CostPerImage {
  readonly images: number;
  /** Per image. */
  readonly writeUnits: number;
  readonly writeUnitsByTarget: Record<string, number>;
  readonly readUnits: number;
  readonly storedBytes: number;
  readonly s3Requests: Record<string, number>;
  readonly appSyncRequests: number;
  readonly realtimeMessages: number;
  readonly lambdaGbSeconds: number;
  readonly lambdaInvocations: number;
  readonly rekognitionCalls: number;
  /** $ per 1,000 images. */
  readonly dollarsPerThousand: { readonly rekognition: number; readonly dynamoDb: number; readonly s3: number; readonly appSync: number; readonly lambda: number; readonly rest: number };
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

export async function measureCost(context: BenchContext, images: readonly Buffer[]): Promise<CostPerImage> {
  await settledUsage(context);
  await context.resetUsage();
  const engineBefore = await context.engineStats();
  for (const bytes of images) {
    const image = await context.client.uploadAndWait(bytes);
    if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
  }
  const usage = await settledUsage(context);
  const engineAfter = await context.engineStats();
  const count = images.length;

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
  return {
    images: count,
    writeUnits: writeUnits / count,
    writeUnitsByTarget,
    readUnits: readUnits / count,
    storedBytes: storedBytes / count,
    s3Requests: Object.fromEntries(Object.entries(s3).map(([requestClass, requests]) => [requestClass, requests / count])),
    appSyncRequests: appsync.requests / count,
    realtimeMessages: appsync.realtimeMessages / count,
    lambdaGbSeconds: lambda.gbSeconds / count,
    lambdaInvocations: lambda.invocations / count,
    rekognitionCalls: rekognitionCalls / count,
    dollarsPerThousand: { rekognition, dynamoDb, s3: s3Dollars, appSync, lambda: lambdaDollars, rest: dynamoDb + s3Dollars + appSync + lambdaDollars },
  };
}

/** The typical-photo write target of issue 14: table and every index together. */
export const maxWriteUnitsPerImage = 40;
/** Everything but Rekognition at most this share of Rekognition's own price. */
export const maxShareOfRekognition = 0.05;

const dollars = (value: number) => `$${value.toFixed(4)}`;
const units = (value: number) => value.toFixed(1);

/** The bench rows of a cost measure. */
export function costRows(cost: CostPerImage, pricesDate: string): { measure: string; value: string; target: string; pass: boolean }[] {
  const perTarget = Object.entries(cost.writeUnitsByTarget)
    .map(([target, value]) => `${target} ${units(value)}`)
    .join(', ');
  const money = cost.dollarsPerThousand;
  const share = money.rest / money.rekognition;
  return [
    { measure: `cost: DynamoDB write units per image (${cost.images} photos)`, value: `${units(cost.writeUnits)} WCU (${perTarget})`, target: `<= ${maxWriteUnitsPerImage} WCU`, pass: cost.writeUnits <= maxWriteUnitsPerImage },
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
      measure: '$ per 1,000 images: all else (DynamoDB incl. 1 month stored, S3, AppSync, Lambda)',
      value: `${dollars(money.rest)} = ${(share * 100).toFixed(1)}% (DDB ${dollars(money.dynamoDb)}, S3 ${dollars(money.s3)}, AppSync ${dollars(money.appSync)}, Lambda ${dollars(money.lambda)})`,
      target: `<= ${maxShareOfRekognition * 100}% of Rekognition`,
      pass: share <= maxShareOfRekognition,
    },
  ];
}
