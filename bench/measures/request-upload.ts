/** requestUpload latency, as a client sees it (HTTPS, API key, pipeline resolver, presign Lambda). */
import type { BenchContext } from '../context.ts';
import { p50, p99, timed } from '../lib/stats.ts';

export async function measureRequestUpload(context: BenchContext, count: number) {
  const samples: number[] = [];
  for (let index = 0; index < count + 10; index += 1) {
    const { ms } = await timed(() => context.client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 1000 + index }));
    if (index >= 10) samples.push(ms); // the first few warm the path up
  }
  return { count, p50Ms: p50(samples), p99Ms: p99(samples) };
}
