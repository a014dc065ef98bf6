/**
 * Fan-out: 500 open onImageLabeled subscriptions, one event published by the
 * labeler's own IAM-signed publisher; time until each subscriber has it.
 */
import { Hub } from 'aws-amplify/utils';
import { randomUUID } from 'node:crypto';
import type { Image } from '../../api/types.ts';
import { appSyncPublisher } from '../../functions/shared/appsync-publisher.ts';
import type { BenchContext } from '../context.ts';
import { p50, p99 } from '../lib/stats.ts';

export async function measureFanOut(context: BenchContext, subscribers: number) {
  const imageId = `fan-out-${randomUUID()}`;
  let publishedAt = 0;
  const latencies: number[] = [];
  const allAcknowledged = acknowledgements(imageId, subscribers);
  const watchers = Array.from({ length: subscribers }, () => context.client.watchImage(imageId, 120_000));
  await allAcknowledged;
  const received = watchers.map((watcher) => watcher.labeled.then(() => latencies.push(performance.now() - publishedAt)));
  const image: Image = {
    id: imageId,
    status: 'LABELED',
    contentType: 'image/jpeg',
    sizeBytes: 1,
    fileName: null,
    createdAt: new Date().toISOString(),
    labeledAt: new Date().toISOString(),
    labels: [{ name: 'Benchmark', confidence: 99, parents: [], aliases: [], categories: [], instances: [] }],
    moderationLabels: [],
    error: null,
  };
  const publisher = appSyncPublisher({ graphqlUrl: context.outputs.data.url, region: context.outputs.data.aws_region });
  publishedAt = performance.now();
  await publisher.publish(image);
  await Promise.all(received);
  return { subscribers, delivered: latencies.length, p50Ms: p50(latencies), p99Ms: p99(latencies) };
}

/** Resolves once AppSync acknowledged `count` subscriptions for the image. */
function acknowledgements(imageId: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { variables?: { imageId?: string } } | undefined;
      if (payload.event === 'Subscription ack' && data?.variables?.imageId === imageId && ++seen === count) {
        stop();
        resolve();
      }
    });
  });
}
