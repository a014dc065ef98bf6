/**
 * `npx tsx bench/engine-wasm-heap.ts [photo …]`: the vision engine's wasm heap over a long mixed sequence, in this
 * process (no worker), with the engine's calls in its order (objects, faces when a person may show one, moderation,
 * and the person check). Default sequence: the four fixtures and cat.png, the evaluation set (its 149 photos: people,
 * animals, things; 2 need nsfwjs's second model), the fixtures again. Prints the heap's size (what the wasm Memory
 * has grown to: in steps of a fifth, emscripten's policy) and its resident pages (the Memory's mapping in
 * /proc/self/smaps: what of it the process holds in RAM) after the models load and whenever the size changes, and
 * at the end the CPU seconds of the load and of the photos.
 *
 * A wasm Memory never shrinks, and pages it touched stay resident: the size it reaches is the engine's RSS for good.
 * Measured once for local/rekognition/README.md ("Memory"); `FREE_PROBE=1` also estimates, at the end, what of the
 * heap is in use (it mallocs 64 KiB blocks until the heap would grow, which touches pages: no reading after it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { repoRoot } from '../api/bundle.ts';
import { decodeImage } from '../local/rekognition/engine/decode.ts';
import { loadModerationClassifier } from '../local/rekognition/engine/moderation-classifier.ts';
import { loadObjectDetector } from '../local/rekognition/engine/object-detector.ts';
import { releasedFilterBytes } from '../local/rekognition/engine/packed-filters.ts';
import { startTfjs } from '../local/rekognition/engine/tfjs-runtime.ts';
import { facesOfPeople } from '../local/rekognition/faces/faces-of-people.ts';
import { needsPersonCheck } from '../local/rekognition/moderation.ts';

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Resident bytes of the wasm Memory: V8 maps it readable and writable, as long as it is, before a guard region of GiBs. */
function residentBytes(length: number): number {
  const mappings: { start: number; end: number; access: string; residentKiB: number }[] = [];
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
    if (range) mappings.push({ start: Number.parseInt(range[1], 16), end: Number.parseInt(range[2], 16), access: range[3], residentKiB: 0 });
    else if (line.startsWith('Rss:') && mappings.length > 0) mappings[mappings.length - 1].residentKiB = Number.parseInt(line.slice(4), 10);
  }
  const memory = mappings.filter(
    (mapping, index) =>
      mapping.access.startsWith('rw') && mapping.end - mapping.start === length && mappings[index + 1]?.start === mapping.end && mappings[index + 1].access.startsWith('---') && mappings[index + 1].end - mappings[index + 1].start >= 2 ** 32,
  );
  return memory.length === 1 ? memory[0].residentKiB * 1024 : Number.NaN;
}

const fixtures = ['astronaut.jpg', 'cat.jpg', 'coffee.jpg', 'rocket.jpg', 'cat.png'].map((name) => path.join(repoRoot, 'tests/fixtures', name));
const evalDirectory = path.join(repoRoot, 'tests/fixtures/eval');
const evalPhotos = readdirSync(evalDirectory)
  .filter((name) => /\.(jpe?g|png)$/i.test(name))
  .sort()
  .map((name) => path.join(evalDirectory, name));
const photos = process.argv.length > 2 ? process.argv.slice(2) : [...fixtures, ...evalPhotos, ...fixtures];

const tf = await startTfjs();
// The emscripten module's heap and allocator (the backend's typings leave them out).
const wasm = (tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(pointer: number): void };
const heapBytes = () => wasm.HEAPU8.buffer.byteLength;
const report = (what: string) => console.log(`${what}: heap ${mib(heapBytes())} MiB, resident ${mib(residentBytes(heapBytes()))} MiB`);

const loadStarted = cpuSeconds();
const [detector, classifier] = await Promise.all([loadObjectDetector(), loadModerationClassifier()]);
const loadCpu = cpuSeconds() - loadStarted;
report('models loaded');

const photosStarted = cpuSeconds();
let size = heapBytes();
for (const [index, photo] of photos.entries()) {
  const image = await decodeImage(readFileSync(photo), { maxPixels: 100_000_000 });
  const objects = await detector.detect(image);
  const faces = await facesOfPeople(() => image.letterboxed(detector.inputSize), objects, image);
  const verdicts = await classifier.classify(await image.stretched(classifier.inputSize));
  if (verdicts.second && needsPersonCheck(verdicts)) await detector.bestPersonScore(image);
  if (heapBytes() !== size) report(`photo ${index + 1}, ${path.basename(photo)}${faces ? ', faces' : ''}${verdicts.second ? ', second nsfwjs model' : ''}`);
  size = heapBytes();
}
report(`after ${photos.length} photos`);
console.log(`filters freed once packed: ${mib(releasedFilterBytes())} MiB of ${mib(tf.memory().numBytes)} MiB of tensors`);
console.log(`CPU: ${loadCpu.toFixed(2)} s loading the models, ${(cpuSeconds() - photosStarted).toFixed(2)} s for the photos`);

if (process.env.FREE_PROBE) {
  const blocks: number[] = [];
  for (;;) {
    const block = wasm._malloc(65_536 - 16);
    if (heapBytes() !== size) {
      wasm._free(block);
      break;
    }
    blocks.push(block);
  }
  for (const block of blocks) wasm._free(block);
  console.log(`in use (heap less its free 64 KiB blocks): ~${mib(size - blocks.length * 65_536)} MiB; tensors ${mib(tf.memory().numBytes)} MiB`);
}
