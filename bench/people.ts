/**
 * `npx tsx bench/people.ts`: the people labels (faces/people-labels.ts) on the
 * evaluation set (tests/fixtures/eval), against a hand-checked ground truth of
 * who is in each people photo, and what the face pass costs. Reports, per
 * split (the Adult age floor was fitted on the fit half):
 *   - Adult, Man, Woman: image-level precision and recall at DetectLabels'
 *     default floor (55), and how many judged faces faceres reads as adults;
 *   - Child, Boy, Girl: how often emitted (never, by design);
 *   - people labels on photos with no person in them (must be none);
 *   - Face and Person instances per people photo (the crowd count);
 *   - warm engine latency on the people photos with the face pass and
 *     without it, interleaved photo by photo in one engine, as wall time and
 *     as process CPU time (the ratio that holds on a shared machine).
 * Writes bench/results/people.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { startVisionEngine } from '../local/rekognition/engine/engine.ts';
import { peopleLabels } from '../local/rekognition/faces/people-labels.ts';
import { labelsFromObjects } from '../local/rekognition/labels.ts';
import { defaultMinConfidence } from '../local/rekognition/operations/detect-labels.ts';
import { imageBytes, loadEvalSet, type Split } from './labels/eval-set.ts';

/**
 * Who is in each people photo, checked by looking at it: everyone visible is an adult (the set has no child;
 * the far-off figures on the beach photos are too small to tell and count for neither side). `men`/`women`:
 * whether one is among the people the photo shows.
 */
const groundTruth: Readonly<Record<string, { readonly adults: boolean; readonly children: boolean; readonly men: boolean; readonly women: boolean; readonly people: number }>> = {
  'kpa-anne-helene.jpg': { adults: true, children: false, men: true, women: true, people: 1 },
  'kpa-bar55.jpg': { adults: true, children: false, men: true, women: true, people: 8 },
  'kpa-bar55-2.jpg': { adults: true, children: false, men: true, women: true, people: 2 },
  'kpa-cold-water.jpg': { adults: true, children: false, men: true, women: true, people: 6 },
  'kpa-grand-canyon-2.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
  'kpa-jesper.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
  'kpa-jesper-2.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
  'kpa-new-wave-1.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
  'kpa-new-wave-2.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
  'kpa-pool.jpg': { adults: true, children: false, men: true, women: false, people: 2 },
  'kpa-pool-2.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
  'kpa-qt-logo.jpg': { adults: true, children: false, men: true, women: false, people: 3 },
  'kpa-People-Jim.jpg': { adults: true, children: false, men: true, women: false, people: 1 },
};
const peopleNames = new Set(['Face', 'Head', 'Male', 'Female', 'Adult', 'Man', 'Woman', 'Child', 'Boy', 'Girl', 'Baby', 'Smile', 'Happy']);

// The analysis cache off: the latency rows analyse each photo four times, and measure the models each time.
const engine = startVisionEngine({ analysisCacheBytes: 0 });
await engine.ready;
const evalSet = loadEvalSet();
const withFaces = { objects: true, moderation: false, faces: true } as const;
const withoutFaces = { objects: true, moderation: false, faces: false } as const;

interface PhotoResult {
  readonly file: string;
  readonly split: Split;
  /** No person in the photo (the manifest's classes); `personIgnored`: someone may be there, too little to tell (a hand, shoes, far-off visitors). */
  readonly personIgnored: boolean;
  readonly labels: Readonly<Record<string, { confidence: number; instances: number }>>;
  readonly adultAges: readonly number[];
}
const results: PhotoResult[] = [];
/** Wall time, and process CPU time (every thread; one engine call at a time): the machine may be shared. */
const latency = { withFaces: 0, withoutFaces: 0, cpuWithFaces: 0, cpuWithoutFaces: 0, photos: 0 };

// Warm-up: the face models load on the first photo of people.
await engine.analyze(imageBytes(evalSet.find((image) => image.file === 'kpa-qt-logo.jpg')!), withFaces);
for (const image of evalSet) {
  const bytes = imageBytes(image);
  const isPeoplePhoto = image.file in groundTruth;
  if (isPeoplePhoto) {
    // Both orders, so neither mode always runs on a warmer cache.
    for (const faces of [true, false, false, true]) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await engine.analyze(bytes, faces ? withFaces : withoutFaces);
      latency[faces ? 'withFaces' : 'withoutFaces'] += performance.now() - started;
      const used = process.cpuUsage(cpu);
      latency[faces ? 'cpuWithFaces' : 'cpuWithoutFaces'] += (used.user + used.system) / 1000;
    }
    latency.photos++;
  }
  const analysis = await engine.analyze(bytes, withFaces);
  const persons = (analysis.objects ?? []).filter((object) => object.className === 'person');
  const labels = labelsFromObjects(analysis.objects ?? [], { minConfidence: defaultMinConfidence }, peopleLabels(analysis.faces ?? [], persons));
  results.push({
    file: image.file,
    split: image.split,
    personIgnored: image.ignore.includes('person'),
    labels: Object.fromEntries(labels.map((label) => [label.Name!, { confidence: Math.round(label.Confidence ?? 0), instances: label.Instances?.length ?? 0 }])),
    adultAges: (analysis.faces ?? []).flatMap((face) => (face.age !== undefined ? [face.age] : [])),
  });
}
await engine.close();

const ratio = (hits: number, total: number) => (total === 0 ? null : Math.round((hits / total) * 100) / 100);
const scoreSplit = (split: Split) => {
  const photos = results.filter((result) => result.split === split);
  const people = photos.filter((result) => result.file in groundTruth);
  const imageLevel = (name: string, truth: (file: string) => boolean) => {
    const emitted = people.filter((result) => name in result.labels);
    return {
      emitted: emitted.length,
      precision: ratio(emitted.filter((result) => truth(result.file)).length, emitted.length),
      recall: ratio(emitted.filter((result) => truth(result.file)).length, people.filter((result) => truth(result.file)).length),
    };
  };
  return {
    peoplePhotos: people.length,
    adult: imageLevel('Adult', (file) => groundTruth[file].adults),
    man: imageLevel('Man', (file) => groundTruth[file].men),
    woman: imageLevel('Woman', (file) => groundTruth[file].women),
    childLabels: people.filter((result) => ['Child', 'Boy', 'Girl', 'Baby'].some((name) => name in result.labels)).length,
    faceresAges: people.flatMap((result) => result.adultAges).sort((a, b) => a - b),
    nonPeoplePhotos: photos.length - people.length,
    nonPeoplePhotosWithPeopleLabels: photos
      .filter((result) => !(result.file in groundTruth))
      .filter((result) => Object.keys(result.labels).some((name) => peopleNames.has(name)))
      .map((result) => `${result.file}${result.personIgnored ? ' (person ignored)' : ''}`),
    counts: Object.fromEntries(
      people.map((result) => [result.file, { people: groundTruth[result.file].people, person: result.labels.Person?.instances ?? 0, face: result.labels.Face?.instances ?? 0 }]),
    ),
  };
};

const report = {
  fit: scoreSplit('fit'),
  heldout: scoreSplit('heldout'),
  latency: {
    peoplePhotos: latency.photos,
    withFacesMs: Math.round(latency.withFaces / (2 * latency.photos)),
    withoutFacesMs: Math.round(latency.withoutFaces / (2 * latency.photos)),
    ratio: Math.round((latency.withFaces / latency.withoutFaces) * 1000) / 1000,
    cpuWithFacesMs: Math.round(latency.cpuWithFaces / (2 * latency.photos)),
    cpuWithoutFacesMs: Math.round(latency.cpuWithoutFaces / (2 * latency.photos)),
    cpuRatio: Math.round((latency.cpuWithFaces / latency.cpuWithoutFaces) * 1000) / 1000,
  },
  photos: results.filter((result) => result.file in groundTruth || Object.keys(result.labels).some((name) => peopleNames.has(name))),
};
const out = path.join(repoRoot, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'people.json'), `${JSON.stringify(report, null, 1)}\n`);
console.log(JSON.stringify({ fit: { ...report.fit, counts: undefined }, heldout: { ...report.heldout, counts: undefined }, latency: report.latency }, null, 1));
for (const split of ['fit', 'heldout'] as const) for (const [file, count] of Object.entries(report[split].counts)) console.log(split, file, JSON.stringify(count));
