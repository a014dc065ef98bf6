/**
 * Search flatness and overhead. Seeds images straight into DynamoDB with the
 * labeler's own writer (same item layout), then compares imagesByLabel p50 at
 * 1,000 and at 100,000 stored images, and against the raw Query it makes.
 */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { sharedOwner } from '../../api/owner.ts';
import { ImagesTableLayout, imageKey, labelIndexKey, objectKeyFor } from '../../api/table.ts';
import type { Image, Label } from '../../api/types.ts';
import { PageLimits } from '../../api/limits.ts';
import { writeLabelEntries } from '../../functions/labeler/image-store.ts';
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
    labels: [label(seedLabels[index % seedLabels.length], 60 + (index % 40)), label('Benchmark', 99)],
    moderationLabels: [],
    error: null,
    // The bench client calls with the API key, so it searches the shared space.
    owner: sharedOwner,
  };
}

async function seed(context: BenchContext, from: number, to: number): Promise<void> {
  const store = { documentClient: context.documentClient, tableName: context.tableName };
  const indexes = Array.from({ length: to - from }, (_, offset) => from + offset);
  const batches: number[][] = [];
  for (let start = 0; start < indexes.length; start += 25) batches.push(indexes.slice(start, start + 25));
  await mapConcurrent(batches, 8, async (batch) => {
    const images = batch.map(seededImage);
    await context.documentClient.send(
      new BatchWriteCommand({
        RequestItems: {
          [context.tableName]: images.map((image) => ({ PutRequest: { Item: { ...imageKey(image.id), ...image, objectKey: objectKeyFor(image.id) } } })),
        },
      }),
    );
    for (const image of images) await writeLabelEntries(store, image);
  });
}

async function searchP50(context: BenchContext, labelName: string, runs: number): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    samples.push((await timed(() => context.client.imagesByLabel({ label: labelName, limit: PageLimits.defaultLimit }))).ms);
  }
  return p50(samples);
}

async function rawQueryP50(context: BenchContext, labelName: string, runs: number): Promise<number> {
  const index = ImagesTableLayout.byLabelIndex;
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const { ms } = await timed(() =>
      context.documentClient.send(
        new QueryCommand({
          TableName: context.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': index.partitionKey },
          ExpressionAttributeValues: { ':k': labelIndexKey(sharedOwner, labelName) },
          ScanIndexForward: false,
          Limit: PageLimits.defaultLimit,
        }),
      ),
    );
    samples.push(ms);
  }
  return p50(samples);
}

export async function measureSearch(context: BenchContext, small: number, large: number, runs: number) {
  const query = 'Cat';
  const seedSmall = await timed(() => seed(context, 0, small));
  const atSmall = await searchP50(context, query, runs);
  const rawAtSmall = await rawQueryP50(context, query, runs);
  const seedLarge = await timed(() => seed(context, small, large));
  const atLarge = await searchP50(context, query, runs);
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
  };
}
