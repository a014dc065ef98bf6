/**
 * requestUpload latency (HTTPS, API key, pipeline resolver, presign Lambda),
 * sent as a plain HTTPS request (the server's cost) and through aws-amplify
 * (what an app sees, client library included).
 */
import { RequestUploadDocument } from '../../client-example/graphql/index.ts';
import type { BenchContext } from '../context.ts';
import { p50, p99, timed } from '../lib/stats.ts';

const warmUp = 10;

export async function measureRequestUpload(context: BenchContext, count: number) {
  const https: number[] = [];
  const amplify: number[] = [];
  for (let index = 0; index < count + warmUp; index += 1) {
    const input = { contentType: 'image/jpeg', sizeBytes: 1000 + index };
    const raw = await timed(() => context.rawGraphql(RequestUploadDocument, { input }));
    const viaAmplify = await timed(() => context.client.requestUpload(input));
    if (index < warmUp) continue;
    https.push(raw.ms);
    amplify.push(viaAmplify.ms);
  }
  return { count, p50Ms: p50(https), p99Ms: p99(https), amplifyP50Ms: p50(amplify) };
}
