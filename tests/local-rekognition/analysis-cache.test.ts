/**
 * The engine's analysis cache (local/rekognition/engine/analysis-cache.ts): the same pixels asked for the same
 * tasks are answered from the analysis made before, as a copy of its own, and objects without faces from the analysis
 * with faces; other pixels, other tasks and failures reach the models. The cache itself on plain values; the key on decoded fixtures; the engine through the run's
 * shared engine (tests/support/shared-vision-engine.ts), on photos no other test analyses (one random pixel changed),
 * and that engine's sharing itself; an engine closed.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AnalysisCache, analysisKey, throughCache } from '../../local/rekognition/engine/analysis-cache.ts';
import { decodeImage } from '../../local/rekognition/engine/decode.ts';
import { ImageDecodeError } from '../../local/rekognition/errors.ts';
import { startVisionEngine } from '../../local/rekognition/engine/engine.ts';
import type { AnalysisTasks } from '../../local/rekognition/engine/messages.ts';
import { EngineClosedError } from '../../local/rekognition/errors.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { describeEngineTests, useLocalRekognition } from '../support/local-rekognition.ts';
import { sharedVisionEngine } from '../support/shared-vision-engine.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const moderationTasks: AnalysisTasks = { objects: false, moderation: true };

interface Entry {
  readonly name: string;
  readonly scores: number[];
}

/** The fixture `name` with one random pixel changed, as a JPEG: pixels no other analysis has seen. */
async function freshPhoto(name: string): Promise<Buffer> {
  const { data, info } = await sharp(await readFile(path.join(fixtures, name))).raw().toBuffer({ resolveWithObject: true });
  const pixel = randomInt(info.width * info.height) * info.channels;
  for (let channel = 0; channel < info.channels; channel += 1) data[pixel + channel] = 255 - data[pixel + channel];
  return sharp(data, { raw: info }).jpeg({ quality: 95 }).toBuffer();
}

/** The cat photo, fresh (freshPhoto). */
const freshCat = () => freshPhoto('cat.jpg');
/** The astronaut photo (one face), fresh (freshPhoto): its analysis with faces is this test's own, not another file's. */
const freshAstronaut = () => freshPhoto('astronaut.jpg');

const digestOf = async (bytes: Uint8Array) => (await decodeImage(bytes, { maxPixels: 100_000_000 })).pixelDigest();

describe('Class: AnalysisCache', () => {
  it('gives each caller a copy of its own: changing one changes neither the stored value nor the next copy', () => {
    const cache = new AnalysisCache<Entry>(1024 * 1024);
    const stored: Entry = { name: 'cat', scores: [0.5, 0.25] };
    cache.set('key', stored);

    const first = cache.get('key');
    first?.scores.push(1);
    stored.scores.push(2);
    const second = cache.get('key');

    expect(second).toEqual({ name: 'cat', scores: [0.5, 0.25] });
    expect(second).not.toBe(first);
  });

  it('holds at most its bound in bytes, dropping the least recently used first', () => {
    const entry = (index: number): Entry => ({ name: `entry ${index}`, scores: Array.from({ length: 100 }, (_, at) => at + 0.5 + index / 1000) });
    const probe = new AnalysisCache<Entry>(Number.MAX_SAFE_INTEGER);
    probe.set('k0', entry(0));
    const entryBytes = probe.bytes;
    const cache = new AnalysisCache<Entry>(entryBytes * 3);

    cache.set('k0', entry(0));
    cache.set('k1', entry(1));
    cache.set('k2', entry(2));
    cache.get('k0'); // now the most recently used
    cache.set('k3', entry(3));

    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(entryBytes * 3);
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k0')).toEqual(entry(0));
    expect(cache.get('k3')).toEqual(entry(3));
  });

  it('keeps nothing larger than its bound, and nothing at all with a bound of 0', () => {
    const small = new AnalysisCache<Entry>(64);
    const off = new AnalysisCache<Entry>(0);

    small.set('big', { name: 'x'.repeat(100), scores: [] });
    off.set('small', { name: 'y', scores: [] });

    expect(small.get('big')).toBeUndefined();
    expect(off.get('small')).toBeUndefined();
    expect([small.bytes, off.bytes]).toEqual([0, 0]);
  });
});

describe('Function: throughCache', () => {
  it('stores no failure: the next call for the same key runs again', async () => {
    const cache = new AnalysisCache<Entry>(1024 * 1024);
    let runs = 0;
    const run = async (): Promise<Entry> => {
      runs += 1;
      if (runs === 1) throw new Error('models failed');
      return { name: 'cat', scores: [runs] };
    };

    const failed = await throughCache(cache, 'key', run).then(() => undefined, (error: unknown) => error);
    const retried = await throughCache(cache, 'key', run);
    const recalled = await throughCache(cache, 'key', run);

    expect(failed).toEqual(new Error('models failed'));
    expect(retried).toEqual({ value: { name: 'cat', scores: [2] }, cached: false });
    expect(recalled).toEqual({ value: { name: 'cat', scores: [2] }, cached: true });
    expect(runs).toBe(2);
  });

  it('runs every call that has no key', async () => {
    const cache = new AnalysisCache<Entry>(1024 * 1024);
    let runs = 0;
    const run = async (): Promise<Entry> => ({ name: 'cat', scores: [(runs += 1)] });

    await throughCache(cache, undefined, run);
    const second = await throughCache(cache, undefined, run);

    expect(second.cached).toBe(false);
    expect(runs).toBe(2);
  });
});

describe('Function: analysisKey', () => {
  it('names every task set, in any order, and tells different task sets apart', () => {
    const digest = 'a'.repeat(64);
    const keys = [
      analysisKey(digest, { objects: true, moderation: false, faces: true }),
      analysisKey(digest, { objects: true, moderation: false }),
      analysisKey(digest, { objects: true, moderation: false, faces: false }),
      analysisKey(digest, { objects: false, moderation: true }),
      analysisKey('b'.repeat(64), { objects: true, moderation: false, faces: true }),
    ];

    expect(new Set(keys).size).toBe(keys.length);
    expect(analysisKey(digest, { faces: true, moderation: false, objects: true })).toBe(keys[0]);
    expect(analysisKey(digest, { objects: true, moderation: false, faces: undefined })).toBe(keys[1]);
  });
});

describe('DecodedImage.pixelDigest', () => {
  it('is the same for files that differ only in bytes the decoder ignores, and differs for other pixels or another format', async () => {
    const cat = await readFile(path.join(fixtures, 'cat.jpg'));

    const [original, variant, png, fresh] = await Promise.all([digestOf(cat), digestOf(jpegVariant(cat)), digestOf(await readFile(path.join(fixtures, 'cat.png'))), freshCat().then(digestOf)]);

    expect(variant).toBe(original);
    expect(new Set([original, png, fresh]).size).toBe(3);
  });

  it('rejects a file that does not decode with an ImageDecodeError', async () => {
    const cat = await readFile(path.join(fixtures, 'cat.jpg'));
    const image = await decodeImage(cat.subarray(0, cat.length / 2), { maxPixels: 100_000_000 });

    const error = await image.pixelDigest().then(() => undefined, (failure: unknown) => failure);

    expect(error).toBeInstanceOf(ImageDecodeError);
  });
});

describeEngineTests('The vision engine', () => {
  const local = useLocalRekognition();

  it('answers the same pixels asked for the same tasks from its cache, a copy equal to the analysis made', async () => {
    // Prepare
    const photo = await freshCat();
    const before = local.engine.analysisCacheCounts();

    // Act
    const analysed = await local.engine.analyze(photo, moderationTasks);
    const recalled = await local.engine.analyze(jpegVariant(photo), moderationTasks);

    // Assess
    const after = local.engine.analysisCacheCounts();
    expect({ hits: after.hits - before.hits, runs: after.runs - before.runs }).toEqual({ hits: 1, runs: 1 });
    expect({ ...recalled, inferenceMs: 0 }).toEqual({ ...analysed, inferenceMs: 0 });
    expect(recalled.nsfw).toBeDefined();
  });

  it('runs the models for other pixels and for other tasks', async () => {
    const photo = await freshCat();
    const other = await freshCat();
    const before = local.engine.analysisCacheCounts();

    await local.engine.analyze(photo, moderationTasks);
    await local.engine.analyze(other, moderationTasks);
    await local.engine.analyze(photo, { ...moderationTasks, faces: false });

    const after = local.engine.analysisCacheCounts();
    expect({ hits: after.hits - before.hits, runs: after.runs - before.runs }).toEqual({ hits: 0, runs: 3 });
  });

  it('answers objects without faces from the analysis of the same pixels with faces, less its faces', async () => {
    // Prepare: the astronaut with faces, as DetectLabels asks for it; pixels of its own, so that its objects without
    // faces are cached by no other test (the recall alone can answer them)
    const astronaut = await freshAstronaut();
    const withFaces = await local.engine.analyze(astronaut, { objects: true, moderation: false, faces: true });
    const before = local.engine.analysisCacheCounts();

    // Act: objects alone, as DetectLabels with IMAGE_PROPERTIES alone asks for them
    const withoutFaces = await local.engine.analyze(jpegVariant(astronaut), { objects: true, moderation: false });

    // Assess: no model ran. That the objects are those an engine without a cache detects was compared once, bit for
    // bit, on five photos (README.md of local/rekognition); here the recall itself.
    const after = local.engine.analysisCacheCounts();
    expect({ hits: after.hits - before.hits, runs: after.runs - before.runs }).toEqual({ hits: 1, runs: 0 });
    expect(withFaces.faces).toHaveLength(1);
    expect(withoutFaces.faces).toBeUndefined();
    expect({ ...withoutFaces, inferenceMs: 0 }).toEqual({ ...withFaces, faces: undefined, inferenceMs: 0 });
  });

  it('refuses an image that does not decode on every call', async () => {
    const cat = await readFile(path.join(fixtures, 'cat.jpg'));
    const truncated = cat.subarray(0, cat.length / 2);

    const errors = [];
    for (let call = 0; call < 2; call += 1) errors.push(await local.engine.analyze(truncated, moderationTasks).then(() => undefined, (error: unknown) => error));

    expect(errors.map((error) => (error as ImageDecodeError | undefined)?.problem)).toEqual(['invalidFormat', 'invalidFormat']);
  });
});

describeEngineTests('The run\'s shared vision engine', () => {
  // Elsewhere than on Linux each caller starts an engine of its own (tests/support/shared-vision-engine.ts).
  it.runIf(process.platform === 'linux')('is one engine for every caller: a picture one asked for is answered from the cache for another', async () => {
    // Prepare: two callers, as two test processes would be; the second comes once the models are loaded
    const photo = await freshCat();
    const first = sharedVisionEngine();
    let second: ReturnType<typeof sharedVisionEngine> | undefined;

    try {
      // Act
      const analysed = await first.analyze(photo, moderationTasks);
      second = sharedVisionEngine();
      // The local Rekognition's operations wait for it (the worker's 'ready' reaches a late caller too).
      const ready = await second.ready;
      const recalled = await second.analyze(photo, moderationTasks);

      // Assess: each counts the answers to its own requests
      expect(first.analysisCacheCounts()).toEqual({ hits: 0, runs: 1 });
      expect(second.analysisCacheCounts()).toEqual({ hits: 1, runs: 0 });
      expect({ ...recalled, inferenceMs: 0 }).toEqual({ ...analysed, inferenceMs: 0 });
      expect(ready).toEqual(await first.ready);
    } finally {
      await Promise.all([first.close(), second?.close()]);
    }
  });

  it('closes for its caller alone: its requests are refused with EngineClosedError, the others are answered', async () => {
    const closing = sharedVisionEngine();
    const staying = sharedVisionEngine();
    const cat = await readFile(path.join(fixtures, 'cat.jpg'));

    try {
      await closing.close();

      await expect(closing.analyze(cat, moderationTasks)).rejects.toBeInstanceOf(EngineClosedError);
      await expect(staying.analyze(cat, moderationTasks)).resolves.toHaveProperty('nsfw');
    } finally {
      await staying.close();
    }
  });
});

describe('Function: startVisionEngine', () => {
  it('refuses what was pending at close(), what is asked after, and its readiness, with EngineClosedError', async () => {
    // Prepare: an engine of this process's own, closed before its models loaded
    const engine = startVisionEngine();
    const cat = await readFile(path.join(fixtures, 'cat.jpg'));
    const pending = engine.analyze(cat, moderationTasks).then(() => undefined, (error: unknown) => error);

    // Act
    await engine.close();

    // Assess
    expect(await pending).toBeInstanceOf(EngineClosedError);
    await expect(engine.analyze(cat, moderationTasks)).rejects.toBeInstanceOf(EngineClosedError);
    await expect(engine.ready).rejects.toBeInstanceOf(EngineClosedError);
  });
});
