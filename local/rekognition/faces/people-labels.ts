/**
 * Faces → DetectLabels labels as Rekognition names them (its label model 3.0):
 * Face (an instance and box per face; parents Head, Person), Male / Female,
 * Adult, and with both Man / Woman (each with the person's box as its
 * instance, as Rekognition boxes them), Smile (parents Face, Happy, Head,
 * Person; category Expressions and Emotions). Conservative on purpose: a
 * label is emitted only where the models hold up, and nothing at all unless
 * a confident Person was detected.
 *
 * A face counts when blazeface and the face mesh agree, and either its centre
 * lies in a confident Person box or blazeface is sure of it: in a crowded
 * photo the object detector misses people whose faces are plain to see
 * (kpa-bar55: the couple in front), and such a face adds a Person instance.
 *
 * What is not emitted, and why:
 * - Child, and so Boy, Girl, Baby: faceres's age head does not tell children
 *   from adults (a drawn child reads 37) and the evaluation set has no child
 *   to fit a threshold on, so a Child label would be a guess.
 * - Adult (and so Man, Woman) below minAdultAge or on faces too small to
 *   judge; its confidence is capped at adultConfidence because no child was
 *   there to measure how often a child would pass (bench/results/people.json).
 * - Head as a box: Rekognition boxes the whole head; the face box is not one
 *   (Head still comes as Face's parent, without instances, as Rekognition
 *   gives it).
 */
import type { DetectedFace, FoundFace } from './detected-face.ts';

/** What labels.ts needs of a person detection. */
export interface PersonBox {
  /** 0–100. */
  readonly confidence: number;
  readonly box: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
}

/** A label with its confidence (0–100) and instances, before parents and filters are applied. */
export interface PeopleLabel {
  readonly name: string;
  readonly confidence: number;
  readonly instances: readonly { readonly confidence: number; readonly box: PersonBox['box'] }[];
}

export const PeopleThresholds = {
  /** A Person at least this confident (0–100) lets the face models run at all. */
  minPersonConfidence: 55,
  /**
   * The confident Person's longer side, as a share of the image's longer side, under which no face
   * blazeface can find fits in it (blazeface sees the image at 256 px and finds faces from ~20 px: 8% of
   * the side; a person's box is at most ~8 face heights tall standing, ~2.5 as head and shoulders).
   * The smallest person holding a found face on the evaluation set is 0.46.
   */
  minPersonShare: 0.2,
  /** blazeface score (0–1): 0.87 on the astronaut; its false faces on the fixtures go up to 0.71, which the mesh then rejects. */
  minDetectionScore: 0.6,
  /** blazeface score (0–1) for a face outside every confident Person box: above every false face seen (0.71). */
  minLoneDetectionScore: 0.8,
  /** facemesh score (0–1): 1 on real faces, 0 on the cat's head and the coffee cup. */
  minMeshScore: 0.8,
  /** faceres gender probability (0–1) needed to say Male or Female; the astronaut's face reads 0.68 female, not enough. */
  minGenderProbability: 0.7,
  /** Face width as a share of the image under which gender, age and smile are not judged (too few pixels for faceres). */
  minAttributeFaceWidth: 0.04,
  /** The emotion model's "happy" score (0–1) needed to say Smile. */
  minHappyScore: 0.75,
  /**
   * faceres age (years) from which a face is called Adult. Its readings cluster by decade (28.6–29.3, 33.6–34.6,
   * 38.7–39.3 on our adults); the fit half's adult faces all read ≥ 29.2, so the floor sits halfway down to the
   * 20-year readings. Held out: every adult face reads ≥ 28.6 (bench/results/people.json).
   */
  minAdultAge: 25,
  /** Adult's confidence (0–100) at most: precision 1.0 on the adults we have, unmeasured on children. */
  adultConfidence: 80,
} as const;

type Box = PersonBox['box'];

const centreInside = (face: Box, person: Box): boolean => {
  const x = face.left + face.width / 2;
  const y = face.top + face.height / 2;
  return x >= person.left && x <= person.left + person.width && y >= person.top && y <= person.top + person.height;
};

const area = (box: Box) => box.width * box.height;
const percent = (score: number) => Math.round(score * 10000) / 100;
const clamp = (value: number) => Math.min(1, Math.max(0, value));

const confident = (persons: readonly PersonBox[]) => persons.filter((person) => person.confidence >= PeopleThresholds.minPersonConfidence);

/** Whether the face models should run at all: a confident person big enough to show a face blazeface can find. */
export function mayShowFace(persons: readonly PersonBox[], image: { readonly width: number; readonly height: number }): boolean {
  const longer = Math.max(image.width, image.height);
  return confident(persons).some((person) => Math.max(person.box.width * image.width, person.box.height * image.height) / longer >= PeopleThresholds.minPersonShare);
}

/** The smallest confident Person box holding the face's centre: the person the face belongs to. */
function ownerOf(face: FoundFace, persons: readonly PersonBox[]): PersonBox | undefined {
  return confident(persons)
    .filter((person) => centreInside(face.box, person.box))
    .sort((a, b) => area(a.box) - area(b.box))[0];
}

/** A face blazeface and the mesh agree on, inside a confident person or sure enough to stand for one. */
function isRealFace(face: FoundFace, persons: readonly PersonBox[]): boolean {
  if (face.meshScore < PeopleThresholds.minMeshScore) return false;
  const floor = ownerOf(face, persons) ? PeopleThresholds.minDetectionScore : PeopleThresholds.minLoneDetectionScore;
  return face.detectionScore >= floor;
}

/** Whether a face's attributes will be judged (the face analyzer runs faceres and emotion on these only). */
export const isJudgedFace = (face: FoundFace, persons: readonly PersonBox[]): boolean =>
  confident(persons).length > 0 && isRealFace(face, persons) && face.box.width >= PeopleThresholds.minAttributeFaceWidth;

/**
 * The box of a person the detector missed, from their face: Rekognition boxes the visible body, which
 * we can only estimate (three face widths across, from just above the face to the bottom of the image).
 */
function personAroundFace(face: Box): Box {
  const left = clamp(face.left - face.width);
  const top = clamp(face.top - face.height / 4);
  return { left, top, width: clamp(face.left + 2 * face.width) - left, height: 1 - top };
}

export function peopleLabels(faces: readonly DetectedFace[], persons: readonly PersonBox[]): PeopleLabel[] {
  if (confident(persons).length === 0) return [];
  const real = faces.filter((face) => isRealFace(face, persons));
  if (real.length === 0) return [];

  const labels: PeopleLabel[] = [];
  const add = (name: string, scored: { box: Box; score: number }[], withInstances: boolean) => {
    if (scored.length === 0) return;
    labels.push({
      name,
      confidence: Math.max(...scored.map(({ score }) => percent(score))),
      instances: withInstances ? scored.map(({ box, score }) => ({ confidence: percent(score), box })) : [],
    });
  };

  // A face is as sure as the weaker of its two checks.
  const faceScore = (face: DetectedFace) => Math.min(face.detectionScore, face.meshScore);
  add('Face', real.map((face) => ({ box: face.box, score: faceScore(face) })), true);
  // A person the detector missed, seen by their face.
  const people = real.map((face) => ({ face, person: ownerOf(face, persons)?.box }));
  add('Person', people.flatMap(({ face, person }) => (person ? [] : [{ box: personAroundFace(face.box), score: faceScore(face) }])), true);

  // Person attributes, boxed as the person (Rekognition's Adult, Male, Man… instances are Person boxes).
  const judged = people
    .filter(({ face }) => face.box.width >= PeopleThresholds.minAttributeFaceWidth)
    .map(({ face, person }) => ({ face, box: person ?? personAroundFace(face.box) }));
  const male = judged.flatMap(({ face, box }) => (face.maleProbability !== undefined ? [{ face, box, score: face.maleProbability }] : []));
  const isMale = male.filter(({ score }) => score >= PeopleThresholds.minGenderProbability);
  const isFemale = male.map((entry) => ({ ...entry, score: 1 - entry.score })).filter(({ score }) => score >= PeopleThresholds.minGenderProbability);
  const isAdult = judged.flatMap(({ face, box }) =>
    face.age !== undefined && face.age >= PeopleThresholds.minAdultAge ? [{ face, box, score: Math.min(PeopleThresholds.adultConfidence / 100, faceScore(face)) }] : [],
  );
  const adultAnd = (gendered: typeof isMale) =>
    gendered.flatMap(({ face, box, score }) => {
      const adult = isAdult.find((entry) => entry.face === face);
      return adult ? [{ box, score: Math.min(score, adult.score) }] : [];
    });
  add('Male', isMale, true);
  add('Female', isFemale, true);
  add('Adult', isAdult, true);
  add('Man', adultAnd(isMale), true);
  add('Woman', adultAnd(isFemale), true);
  // Rekognition gives Smile without boxes.
  add('Smile', judged.filter(({ face }) => face.happy >= PeopleThresholds.minHappyScore).map(({ face }) => ({ box: face.box, score: face.happy })), false);
  return labels;
}
