/**
 * The measures, run against a started stack (see run.ts, which starts it and
 * runs this file with the stack's CA trusted). Ratios are taken within this
 * one run. BENCH_SCALE (default 1) shrinks the counts for a quick look;
 * BENCH_ONLY=cost runs the cost rows alone, BENCH_ONLY=fan-out the fan-out
 * rows alone (FANOUT_SUBSCRIBERS, default 500), BENCH_ONLY=request-upload and
 * BENCH_ONLY=search the AppSync request-path rows alone (no engine work),
 * BENCH_ONLY=pipeline the pipeline overhead rows alone, BENCH_ONLY=throughput the
 * throughput row alone (its images as the full run gives them), BENCH_ONLY=memory the
 * memory rows alone (the same distinct photos first labelled by the engine,
 * then the same repeats, without the other phases' own work).
 */
import { benchContext } from './context.ts';
import { distinctImageSource, distinctImages, photoOfWidth } from './lib/images.ts';
import { treeRssByProcessMiB, treeRssBytes } from './lib/rss.ts';
import { mapConcurrent, timed } from './lib/stats.ts';
import { costRows, measureCost, photoLines, type CostPhoto } from './measures/cost.ts';
import { measureFanOut } from './measures/fan-out.ts';
import { measureMemory } from './measures/memory.ts';
import { measurePipelineOverhead } from './measures/pipeline.ts';
import { measureRequestUpload } from './measures/request-upload.ts';
import { measureSearch } from './measures/search.ts';
import { measureThroughput } from './measures/throughput.ts';
import { pricesDate } from './prices.ts';
import { printTable, writeResults, type Row } from './report.ts';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const count = (n: number) => Math.max(1, Math.round(n * scale));
const context = benchContext(process.env);
const startedAt = performance.now();
const log = (message: string) => console.error(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);

/** Photos the cost rows are measured over (distinct from every other phase's, so each costs a real inference). */
const costImages = count(20);
/** distinctImages' photos from `first` on, with the fixture each was made from, for the cost rows' per-photo figures. */
const costPhotos = (images: readonly Buffer[], first: number): CostPhoto[] =>
  images.slice(first).map((bytes, offset) => ({ bytes, source: distinctImageSource(first + offset) }));

if (process.env.BENCH_ONLY === 'cost') {
  log(`cost over ${costImages} photos`);
  const cost = await measureCost(context, costPhotos(await distinctImages(costImages + 5), 5));
  for (const line of photoLines(cost)) log(line);
  printTable(costRows(cost, pricesDate));
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, cost, pricesDate })}`);
  process.exit(0);
}

const fanOutSubscribers = Number(process.env.FANOUT_SUBSCRIBERS ?? 500);
const fanOutRows = (fanOut: Awaited<ReturnType<typeof measureFanOut>>): Row[] => [
  { measure: `fan-out ${fanOut.subscribers} subs delivered`, value: `${fanOut.delivered}/${fanOut.subscribers}`, target: 'all', pass: fanOut.delivered === fanOut.subscribers },
  { measure: 'fan-out p99', value: `${fanOut.p99Ms.toFixed(1)} ms`, target: '<= 250 ms', pass: fanOut.p99Ms <= 250 },
];

if (process.env.BENCH_ONLY === 'fan-out') {
  log(`fan-out to ${fanOutSubscribers} subscriptions`);
  const fanOut = await measureFanOut(context, fanOutSubscribers);
  printTable(fanOutRows(fanOut));
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, fanOut })}`);
  process.exit(0);
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const requestUploadRows = (requestUpload: Awaited<ReturnType<typeof measureRequestUpload>>): Row[] => [
  { measure: 'requestUpload p50', value: ms(requestUpload.p50Ms), target: '<= 10 ms', pass: requestUpload.p50Ms <= 10 },
  { measure: 'requestUpload p50 via aws-amplify', value: ms(requestUpload.amplifyP50Ms), target: '(info)', pass: true },
];
const searchRows = (search: Awaited<ReturnType<typeof measureSearch>>): Row[] => [
  { measure: 'search flatness (100k/1k p50)', value: search.flatness.toFixed(2), target: '<= 1.5', pass: search.flatness <= 1.5 },
  { measure: 'search p50 at 100k', value: ms(search.p50AtLargeMs), target: '<= 15 ms', pass: search.p50AtLargeMs <= 15 },
  { measure: 'search overhead (vs raw Query)', value: search.overhead.toFixed(2), target: '<= 2', pass: search.overhead <= 2 },
  { measure: 'search p50 at 100k via aws-amplify', value: ms(search.amplifyP50AtLargeMs), target: '(info)', pass: true },
];

if (process.env.BENCH_ONLY === 'request-upload') {
  log(`requestUpload x${count(200)}`);
  const requestUpload = await measureRequestUpload(context, count(200));
  printTable(requestUploadRows(requestUpload));
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, requestUpload })}`);
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'search') {
  log(`search: seeding ${count(1000)} then ${count(100_000)} images`);
  const search = await measureSearch(context, count(1000), count(100_000), 200);
  printTable(searchRows(search));
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, search })}`);
  process.exit(0);
}

// 200 measured after 5 warm-up images.
const overheadImages = count(200) + 5;
const pipelineRows = (pipeline: Awaited<ReturnType<typeof measurePipelineOverhead>>): Row[] => [
  { measure: 'pipeline overhead p50', value: ms(pipeline.overheadP50Ms), target: '<= 25 ms', pass: pipeline.overheadP50Ms <= 25 },
  { measure: 'pipeline overhead p99', value: ms(pipeline.overheadP99Ms), target: '<= 100 ms', pass: pipeline.overheadP99Ms <= 100 },
];

if (process.env.BENCH_ONLY === 'pipeline') {
  log(`pipeline overhead over ${overheadImages} images`);
  const pipeline = await measurePipelineOverhead(context, await distinctImages(overheadImages));
  printTable(pipelineRows(pipeline));
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, pipeline })}`);
  process.exit(0);
}

const throughputImages = count(48);
const memoryTarget = count(1000);
// The throughput phase gets two sets: the engine's analysis cache would answer pipeline uploads of the very images
// the engine-only half just analysed (local/rekognition/engine/analysis-cache.ts).
const images = await distinctImages(overheadImages + 2 * throughputImages + costImages);
// The engine takes ~0.6 s an image here, too slow for 1,000 distinct images in 10 minutes: the memory
// phase re-uploads bytes already labelled, which runs every part of the stack but the engine.
const engineLabelled = overheadImages + throughputImages;
const labelledImages = [...images.slice(0, overheadImages), ...images.slice(overheadImages + throughputImages, overheadImages + 2 * throughputImages)];
const repeatImages = Array.from({ length: Math.max(0, memoryTarget - engineLabelled) }, (_, index) => labelledImages[index % engineLabelled]);
const memoryRows = (memory: Awaited<ReturnType<typeof measureMemory>>): Row[] => [
  { measure: `RSS after ${memory.labelled} images (${engineLabelled} via engine)`, value: `${memory.finalRssMiB.toFixed(0)} MiB`, target: '<= 1024 MiB', pass: memory.finalRssMiB <= 1024 },
  { measure: 'RSS growth, 2nd half', value: `${memory.growthSinceHalfwayMiB.toFixed(0)} MiB`, target: 'flat (<= 64 MiB)', pass: memory.growthSinceHalfwayMiB <= 64 },
  { measure: `PSS after ${memory.labelled} images (shared pages counted once)`, value: `${memory.finalPssMiB.toFixed(0)} MiB`, target: '(info)', pass: true },
];

if (process.env.BENCH_ONLY === 'throughput') {
  // The throughput row alone, on the same images the full run gives it, so a change to how many labelers run
  // at once (api/labeling-queue.ts) can be compared without the other phases' hour.
  log(`throughput at concurrency 8 over ${throughputImages} images`);
  const throughput = await measureThroughput(
    context,
    images.slice(overheadImages, overheadImages + throughputImages),
    images.slice(overheadImages + throughputImages, overheadImages + 2 * throughputImages),
    8,
  );
  printTable([{ measure: 'throughput efficiency (c=8)', value: throughput.efficiency.toFixed(2), target: '>= 0.85', pass: throughput.efficiency >= 0.85 }]);
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, throughput })}`);
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'memory') {
  // The same distinct photos the full run's earlier phases label through the pipeline (by the engine), at the
  // throughput phase's concurrency, then the same repeats: the stack is in the state the full run measures from.
  log(`memory: ${engineLabelled} photos via engine, then up to ${memoryTarget} labelled images`);
  await mapConcurrent(labelledImages, 8, async (bytes) => {
    const image = await context.client.uploadAndWait(bytes);
    if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
  });
  const memory = await measureMemory(context, repeatImages, engineLabelled, count(100));
  printTable(memoryRows(memory));
  console.log(`\nresults: ${writeResults({ at: new Date().toISOString(), scale, memory })}`);
  process.exit(0);
}

const engineLoadMs = (await context.engineStats()).engineLoadMs;
const rssAtStartMiB = treeRssBytes(context.stackPid) / 1024 / 1024;
// Which process holds it, so a start that differs between runs can be traced (issue 16: 1015 vs 659 MiB was a gallery built in-process).
const rssAtStartByProcessMiB = treeRssByProcessMiB(context.stackPid);
log('engine latency by photo size');
const engineBySize: Record<string, number> = {};
for (const width of [640, 4000]) {
  await context.detect(await photoOfWidth(width));
  const runs: number[] = [];
  // Other pixels each run: the engine's cache would answer a repeat without the models.
  for (let run = 1; run <= 5; run += 1) {
    const photo = await photoOfWidth(width, run);
    runs.push((await timed(() => context.detect(photo))).ms);
  }
  engineBySize[`${width}px`] = runs.sort((a, b) => a - b)[2];
}

log(`requestUpload x${count(200)}`);
const requestUpload = await measureRequestUpload(context, count(200));
log(`pipeline overhead over ${overheadImages} images`);
const pipeline = await measurePipelineOverhead(context, images.slice(0, overheadImages));
log(`throughput at concurrency 8 over ${throughputImages} images`);
const throughput = await measureThroughput(
  context,
  images.slice(overheadImages, overheadImages + throughputImages),
  images.slice(overheadImages + throughputImages, overheadImages + 2 * throughputImages),
  8,
);
log(`cost over ${costImages} photos`);
const cost = await measureCost(context, costPhotos(images, overheadImages + 2 * throughputImages));
for (const line of photoLines(cost)) log(line);
log(`memory up to ${memoryTarget} labelled images`);
const memory = await measureMemory(context, repeatImages, engineLabelled, count(100));
log(`fan-out to ${fanOutSubscribers} subscriptions`);
const fanOut = await measureFanOut(context, fanOutSubscribers);
log(`search: seeding ${count(1000)} then ${count(100_000)} images`);
const search = await measureSearch(context, count(1000), count(100_000), 200);

const rows: Row[] = [
  ...pipelineRows(pipeline),
  { measure: 'throughput efficiency (c=8)', value: throughput.efficiency.toFixed(2), target: '>= 0.85', pass: throughput.efficiency >= 0.85 },
  ...searchRows(search),
  ...requestUploadRows(requestUpload),
  ...fanOutRows(fanOut),
  ...costRows(cost, pricesDate),
  ...memoryRows(memory),
];
const engineRows: Row[] = [
  { measure: 'engine model load', value: ms(engineLoadMs), target: '(info)', pass: true },
  ...Object.entries(engineBySize).map(([size, value]) => ({
    measure: `engine warm latency, ${size} photo (decode+resize+infer, both calls)`,
    value: ms(value),
    target: '(info)',
    pass: true,
  })),
  { measure: 'stack RSS at start (models loaded)', value: `${rssAtStartMiB.toFixed(0)} MiB`, target: '(info)', pass: true },
];

printTable([...rows, ...engineRows]);
const file = writeResults({ at: new Date().toISOString(), scale, engineLoadMs, rssAtStartMiB, rssAtStartByProcessMiB, requestUpload, pipeline, throughput, memory, fanOut, cost, pricesDate, search, engineBySize, rows });
console.log(`\nresults: ${file} (measures took ${((performance.now() - startedAt) / 1000).toFixed(0)} s)`);
process.exit(0);
