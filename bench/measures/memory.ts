/**
 * Memory: RSS of the whole stack (its process and the function processes it
 * forks) while it labels many images, sampled as it goes.
 */
import type { BenchContext } from '../context.ts';
import { treePssBytes, treeRssByProcessMiB, treeRssBytes } from '../lib/rss.ts';
import { mapConcurrent } from '../lib/stats.ts';

const mib = (bytes: number) => bytes / 1024 / 1024;

export async function measureMemory(context: BenchContext, images: readonly Buffer[], alreadyLabelled: number, sampleEvery: number) {
  // Each sample also says which process holds what, so growth can be traced to one.
  const sample = (labelled: number) => ({ labelled, rssMiB: mib(treeRssBytes(context.stackPid)), byProcessMiB: treeRssByProcessMiB(context.stackPid) });
  const samples = [sample(alreadyLabelled)];
  let done = 0;
  await mapConcurrent(images, 8, async (bytes) => {
    const image = await context.client.uploadAndWait(bytes);
    if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
    done += 1;
    if (done % sampleEvery === 0) samples.push(sample(alreadyLabelled + done));
  });
  const last = samples[samples.length - 1];
  const afterWarmUp = samples[Math.floor(samples.length / 2)];
  // The same memory with shared pages counted once (lib/rss.ts), beside the RSS the rows are measured by.
  const finalPssMiB = mib(treePssBytes(context.stackPid));
  return { labelled: alreadyLabelled + done, finalRssMiB: last.rssMiB, finalPssMiB, growthSinceHalfwayMiB: last.rssMiB - afterWarmUp.rssMiB, samples };
}
