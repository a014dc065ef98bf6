/**
 * Search flatness and overhead. Seeds images straight into DynamoDB with the
 * labeler's own writer (same item layout), then compares imagesByLabel p50 at
 * 1,000 and at 100,000 stored images, and against the raw reads it makes: the
 * Query of one label-entry partition, then the BatchGetItem of the page.
 */
import { BatchGetCommand, BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { sharedOwner } from '../../api/owner.ts';
import { ImagesTableLayout, imageKey, labelPartition } from '../../api/table.ts';
import type { Image, Label } from '../../api/types.ts';
import { PageLimits } from '../../api/limits.ts';
import { labelEntries } from '../../functions/shared/label-index.ts';
import { chunks } from '../../functions/shared/table-store.ts';
import { ImagesByLabelDocument } from '../../client-example/graphql/index.ts';
import type { BenchContext } from '../context.ts';
import { mapConcurrent, p50, timed } from '../lib/stats.ts';

const seedLabels = ['Cat', 'Dog', 'Person', 'Cup', 'Car', 'Bicycle', 'Bird', 'Horse', 'Chair', 'Bottle'];

const label = (name: string, confidence: number): Label => ({ name, confidence, parents: [], aliases: [], categories: [], instances: [] });

function seededImage(index: number): Image {
  const createdAt = new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString();
  return {
    id: randomUUID(),
    status: 'LABELED',
    contentType: 'image/jpeg',
    sizeBytes: 50_000,
    fileName: `seed-${index}.jpg`,
    createdAt,
    labeledAt: createdAt,
    // One label, at a confidence between two index thresholds: as many entries as a typical label gets.
    labels: [label(seedLabels[index % seedLabels.length], 65 + (index % 10))],
    moderationLabels: [],
    error: null,
    // The bench client calls with the API key, so it searches the shared space.
    owner: sharedOwner,
  };
}

/** Writes images and their search entries (the labeler's own labelEntries) in full 25-item batches. */
async function seed(context: BenchContext, from: number, to: number): Promise<void> {
  const items = Array.from({ length: to - from }, (_, offset) => seededImage(from + offset)).flatMap((image) => [
    { ...imageKey(image.id), ...image },
    ...labelEntries(image),
  ]);
  await mapConcurrent(chunks(items, 25), 4, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await context.documentClient.send(new BatchWriteCommand({ RequestItems: { [context.tableName]: pending } }));
      pending = (UnprocessedItems?.[context.tableName] ?? []) as typeof pending;
    }
  });
}

/** imagesByLabel p50, sent as a plain HTTPS request (server cost) and through aws-amplify (what an app sees). */
async function searchP50(context: BenchContext, labelName: string, runs: number): Promise<{ httpsMs: number; amplifyMs: number }> {
  const https: number[] = [];
  const amplify: number[] = [];
  const variables = { label: labelName, limit: PageLimits.defaultLimit };
  for (let run = 0; run < runs; run += 1) {
    https.push((await timed(() => context.rawGraphql(ImagesByLabelDocument, variables))).ms);
    amplify.push((await timed(() => context.client.imagesByLabel(variables))).ms);
  }
  return { httpsMs: p50(https), amplifyMs: p50(amplify) };
}

/** The two reads imagesByLabel makes, as a client of DynamoDB would make them. */
async function rawReads(context: BenchContext, labelName: string): Promise<void> {
  const { Items } = await context.documentClient.send(
    new QueryCommand({
      TableName: context.tableName,
      KeyConditionExpression: '#pk = :partition',
      ExpressionAttributeNames: { '#pk': ImagesTableLayout.partitionKey },
      ExpressionAttributeValues: { ':partition': labelPartition(sharedOwner, labelName) },
      ScanIndexForward: false,
      Limit: PageLimits.defaultLimit,
    }),
  );
  const keys = (Items ?? []).map((entry) => imageKey(entry.id as string));
  if (keys.length > 0) await context.documentClient.send(new BatchGetCommand({ RequestItems: { [context.tableName]: { Keys: keys } } }));
}

async function rawQueryP50(context: BenchContext, labelName: string, runs: number): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) samples.push((await timed(() => rawReads(context, labelName))).ms);
  return p50(samples);
}

export async function measureSearch(context: BenchContext, small: number, large: number, runs: number) {
  const query = 'Cat';
  const seedSmall = await timed(() => seed(context, 0, small));
  const { httpsMs: atSmall, amplifyMs: amplifyAtSmall } = await searchP50(context, query, runs);
  const rawAtSmall = await rawQueryP50(context, query, runs);
  const seedLarge = await timed(() => seed(context, small, large));
  const { httpsMs: atLarge, amplifyMs: amplifyAtLarge } = await searchP50(context, query, runs);
  const rawAtLarge = await rawQueryP50(context, query, runs);
  return {
    smallImages: small,
    largeImages: large,
    seedSeconds: (seedSmall.ms + seedLarge.ms) / 1000,
    p50AtSmallMs: atSmall,
    p50AtLargeMs: atLarge,
    flatness: atLarge / atSmall,
    rawQueryP50Ms: rawAtLarge,
    overhead: atLarge / rawAtLarge,
    rawQueryP50AtSmallMs: rawAtSmall,
    amplifyP50AtSmallMs: amplifyAtSmall,
    amplifyP50AtLargeMs: amplifyAtLarge,
  };
}
