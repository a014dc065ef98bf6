/**
 * `npm run soak`: a bounded soak of the offline stack. 500 onImageLabeled
 * subscribers (no imageId filter, so each gets every event), then 200
 * distinct photos uploaded at once through presigned URLs. The subscribers
 * are raw realtime clients spread over as many WebSockets as AppSync's
 * 100-subscriptions-per-connection quota needs (lib/realtime-subscribers.ts). Passes when every
 * image ends LABELED, every subscriber got every image exactly once, and the
 * stack's process tree stayed under the RSS bound; prints a table and writes
 * bench/results/soak.json. Exits 1 otherwise, or past the time bound.
 *
 * Like `npm run bench`, the stack runs in its own process (fresh state dir)
 * and this file re-runs itself as the client, trusting the stack's CA.
 *
 * Settings (environment): SOAK_UPLOADS (200), SOAK_SUBSCRIBERS (500),
 * SOAK_TIMEOUT_S (540), SOAK_RSS_LIMIT_MB (3072).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../api/bundle.ts';
import type { Image } from '../client-example/graphql/index.ts';
import { startStackProcess } from '../local/child-process-stack.ts';
import { benchEnvFor, benchStackSettings, benchStackSettingsLine } from './lib/stack-env.ts';
import { benchContext } from './context.ts';
import { distinctImages } from './lib/images.ts';
import { openSubscribers } from './lib/realtime-subscribers.ts';
import { treeRssBytes } from './lib/rss.ts';
import { p50, p99 } from './lib/stats.ts';

const settings = {
  uploads: Number(process.env.SOAK_UPLOADS ?? 200),
  subscribers: Number(process.env.SOAK_SUBSCRIBERS ?? 500),
  timeoutMs: Number(process.env.SOAK_TIMEOUT_S ?? 540) * 1000,
  rssLimitBytes: Number(process.env.SOAK_RSS_LIMIT_MB ?? 3072) * 1024 * 1024,
};

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

async function runStackAndClient(): Promise<number> {
  console.log(benchStackSettingsLine());
  const stack = await startStackProcess({ env: benchStackSettings });
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: {
        ...process.env,
        SOAK_CLIENT: '1',
        ...benchEnvFor(stack),
      },
    });
    child.on('exit', resolve);
  });
  const stackAlive = stack.process.exitCode === null;
  await stack.stop();
  // Its fresh state directory: nothing reads it once the stack is stopped.
  rmSync(stack.stateDir, { recursive: true, force: true });
  if (code !== 0 || !stackAlive) console.error(`\nstack ${stackAlive ? 'output' : 'exited early'}, last lines:\n${stack.stdout().split('\n').slice(-30).join('\n')}`);
  return code ?? 1;
}

/** RSS of the stack's process tree, every second until stopped. */
function sampleRss(pid: number) {
  const samples: number[] = [treeRssBytes(pid)];
  const timer = setInterval(() => samples.push(treeRssBytes(pid)), 1000);
  return {
    samples,
    stop() {
      clearInterval(timer);
      samples.push(treeRssBytes(pid));
    },
  };
}

async function soak(): Promise<number> {
  const context = benchContext(process.env);
  const deadline = Date.now() + settings.timeoutMs;
  const rss = sampleRss(context.stackPid);
  const startedAt = performance.now();

  const photos = await distinctImages(settings.uploads);
  const ours = new Set<string>();
  // Per subscriber: the ids it received (ours only), and how many events in all.
  const received = Array.from({ length: settings.subscribers }, () => new Map<string, number>());
  const subscriptionErrors: string[] = [];
  const firstSeenAt = new Map<string, number>();
  const uploadedAt = new Map<string, number>();
  let onAllReceived: () => void = () => undefined;
  const allReceived = new Promise<void>((resolve) => (onAllReceived = resolve));
  let complete = 0;

  const record = (subscriber: number, image: Image, receivedAt: number) => {
    if (!ours.has(image.id)) return;
    const seen = received[subscriber]!;
    const count = (seen.get(image.id) ?? 0) + 1;
    seen.set(image.id, count);
    if (!firstSeenAt.has(image.id)) firstSeenAt.set(image.id, receivedAt);
    if (count === 1 && seen.size === settings.uploads && ++complete === settings.subscribers) onAllReceived();
  };

  // Spread over as many realtime connections as AppSync's 100-per-connection quota needs,
  // as many users' apps would hold them; resolves once AppSync acknowledged every one, so none misses an event.
  const subscribers = await openSubscribers(
    { graphqlUrl: context.outputs.data.url, apiKey: context.outputs.data.api_key },
    settings.subscribers,
    {},
    (subscriber, image, receivedAt) => record(subscriber, image, receivedAt),
    (error) => subscriptionErrors.push(error.message),
  );
  console.log(`subscribed ${settings.subscribers} over ${subscribers.connections} realtime connections`);
  const subscribedMs = performance.now() - startedAt;
  const rssSubscribed = treeRssBytes(context.stackPid);

  const uploadStart = performance.now();
  const failures: string[] = [];
  // All at once: tickets, then PUTs, as 200 clients would.
  await Promise.all(
    photos.map(async (bytes, index) => {
      try {
        const ticket = await context.client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength, fileName: `soak-${index}.jpg` });
        ours.add(ticket.imageId);
        await context.client.upload(ticket, bytes);
        uploadedAt.set(ticket.imageId, performance.now());
      } catch (error) {
        failures.push(`upload ${index}: ${(error as Error).message}`);
      }
    }),
  );
  const uploadsMs = performance.now() - uploadStart;
  console.log(`uploaded ${ours.size - failures.length}/${settings.uploads} in ${(uploadsMs / 1000).toFixed(1)} s; waiting for the events`);

  const timedOut = await Promise.race([
    allReceived.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), Math.max(0, deadline - Date.now())).unref()),
  ]);
  const labelingMs = performance.now() - uploadStart;
  subscribers.close();
  rss.stop();

  // What the table says, read back: nothing lost, nothing stuck.
  const statuses = new Map<string, number>();
  for (const id of ours) {
    const image = await context.client.image(id);
    const status = image?.status ?? 'MISSING';
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }

  const perSubscriber = received.map((seen) => seen.size);
  const duplicates = received.reduce((sum, seen) => sum + [...seen.values()].reduce((extra, count) => extra + count - 1, 0), 0);
  const delivered = perSubscriber.reduce((sum, count) => sum + count, 0);
  const latencies = [...firstSeenAt].flatMap(([id, at]) => (uploadedAt.has(id) ? [at - uploadedAt.get(id)!] : []));
  const peakRss = Math.max(...rss.samples);

  const results = {
    at: new Date().toISOString(),
    settings: { uploads: settings.uploads, subscribers: settings.subscribers, timeoutS: settings.timeoutMs / 1000, rssLimitMb: mb(settings.rssLimitBytes) },
    images: {
      requested: ours.size,
      labeled: statuses.get('LABELED') ?? 0,
      failed: statuses.get('FAILED') ?? 0,
      pending: statuses.get('PENDING') ?? 0,
      missing: statuses.get('MISSING') ?? 0,
      uploadErrors: failures.length,
    },
    events: {
      expected: settings.uploads * settings.subscribers,
      delivered,
      duplicates,
      minPerSubscriber: Math.min(...perSubscriber),
      subscribersComplete: complete,
      subscriptionErrors: subscriptionErrors.length,
    },
    timing: {
      subscribeAllS: +(subscribedMs / 1000).toFixed(1),
      uploadAllS: +(uploadsMs / 1000).toFixed(1),
      allDeliveredS: +(labelingMs / 1000).toFixed(1),
      imagesPerSecond: +(settings.uploads / (labelingMs / 1000)).toFixed(2),
      uploadToFirstEventP50Ms: Math.round(p50(latencies)),
      uploadToFirstEventP99Ms: Math.round(p99(latencies)),
      timedOut,
    },
    rssMb: { start: mb(rss.samples[0]!), subscribed: mb(rssSubscribed), peak: mb(peakRss), end: mb(rss.samples.at(-1)!), samples: rss.samples.length },
  };
  const checks = {
    'every image LABELED': results.images.labeled === settings.uploads,
    'no upload lost': results.images.requested === settings.uploads && failures.length === 0,
    'every subscriber got every image': complete === settings.subscribers,
    'no duplicate event': duplicates === 0,
    'within the time bound': !timedOut,
    [`stack RSS peak under ${mb(settings.rssLimitBytes)} MB`]: peakRss < settings.rssLimitBytes,
  };

  const rows: [string, string][] = [
    ['uploads (distinct photos, concurrent)', `${settings.uploads}`],
    ['subscribers (no filter)', `${settings.subscribers}`],
    ['images LABELED / FAILED / PENDING / missing', `${results.images.labeled} / ${results.images.failed} / ${results.images.pending} / ${results.images.missing}`],
    ['events delivered / expected', `${delivered} / ${results.events.expected}`],
    ['duplicate events', `${duplicates}`],
    ['fewest images seen by one subscriber', `${results.events.minPerSubscriber}`],
    ['subscribe all', `${results.timing.subscribeAllS} s`],
    ['upload all (tickets + PUTs)', `${results.timing.uploadAllS} s`],
    ['until all delivered', `${results.timing.allDeliveredS} s (${results.timing.imagesPerSecond} images/s)`],
    ['upload → first event p50 / p99', `${results.timing.uploadToFirstEventP50Ms} / ${results.timing.uploadToFirstEventP99Ms} ms`],
    ['stack RSS start / subscribed / peak / end', `${results.rssMb.start} / ${results.rssMb.subscribed} / ${results.rssMb.peak} / ${results.rssMb.end} MB`],
    ...Object.entries(checks).map(([name, ok]): [string, string] => [`check: ${name}`, ok ? 'ok' : 'FAILED']),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\nlabelcast soak\n${rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n')}`);
  for (const failure of [...failures, ...subscriptionErrors].slice(0, 5)) console.log(`  ! ${failure}`);

  const file = path.join(repoRoot, 'bench/results/soak.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...results, checks }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(repoRoot, file)}`);
  return Object.values(checks).every(Boolean) ? 0 : 1;
}

process.exit(process.env.SOAK_CLIENT === '1' ? await soak() : await runStackAndClient());
