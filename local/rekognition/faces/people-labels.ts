/**
 * Faces → DetectLabels labels as Rekognition names them: Face (with an
 * instance and box per face), Male / Female, Smile. Conservative on purpose:
 * a label is emitted only where the models hold up, and nothing at all
 * unless a Person was detected and the face lies inside that person.
 *
 * What is not emitted, and why:
 * - Adult, Child (and so Man, Woman, Boy, Girl, which imply an age): faceres's
 *   age head is flat on our photos (its most likely bin holds ~7%; the expected
 *   age is 34 for the astronaut and 37 for a drawn child), so it cannot tell a
 *   child from an adult.
 * - Head: Rekognition boxes the whole head; the face box is not one.
 */
import type { DetectedFace } from './face-analyzer.ts';

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
  /** blazeface score (0–1): 0.87 on the astronaut; its false faces on the fixtures go up to 0.71, which the mesh then rejects. */
  minDetectionScore: 0.6,
  /** facemesh score (0–1): 1 on real faces, 0 on the cat's head and the coffee cup. */
  minMeshScore: 0.8,
  /** faceres gender probability (0–1) needed to say Male or Female; the astronaut's face reads 0.68 female, not enough. */
  minGenderProbability: 0.7,
  /** Face width as a share of the image under which gender and smile are not judged (too few pixels for faceres). */
  minAttributeFaceWidth: 0.04,
  /** The emotion model's "happy" score (0–1) needed to say Smile. */
  minHappyScore: 0.75,
} as const;

const centreInside = (face: DetectedFace['box'], person: PersonBox['box']): boolean => {
  const x = face.left + face.width / 2;
  const y = face.top + face.height / 2;
  return x >= person.left && x <= person.left + person.width && y >= person.top && y <= person.top + person.height;
};

const percent = (score: number) => Math.round(score * 10000) / 100;

/** Whether the face models should run at all on an image with these person detections. */
export const hasConfidentPerson = (persons: readonly PersonBox[]): boolean =>
  persons.some((person) => person.confidence >= PeopleThresholds.minPersonConfidence);

export function peopleLabels(faces: readonly DetectedFace[], persons: readonly PersonBox[]): PeopleLabel[] {
  const confidentPersons = persons.filter((person) => person.confidence >= PeopleThresholds.minPersonConfidence);
  const real = faces.filter(
    (face) =>
      face.detectionScore >= PeopleThresholds.minDetectionScore &&
      face.meshScore >= PeopleThresholds.minMeshScore &&
      confidentPersons.some((person) => centreInside(face.box, person.box)),
  );
  if (real.length === 0) return [];

  const labels: PeopleLabel[] = [];
  const add = (name: string, scored: { face: DetectedFace; score: number }[], withInstances: boolean) => {
    if (scored.length === 0) return;
    labels.push({
      name,
      confidence: Math.max(...scored.map(({ score }) => percent(score))),
      instances: withInstances ? scored.map(({ face, score }) => ({ confidence: percent(score), box: face.box })) : [],
    });
  };

  // A face is as sure as the weaker of its two checks.
  add('Face', real.map((face) => ({ face, score: Math.min(face.detectionScore, face.meshScore) })), true);
  const judged = real.filter((face) => face.box.width >= PeopleThresholds.minAttributeFaceWidth);
  const male = judged.flatMap((face) => (face.maleProbability !== undefined && face.maleProbability >= PeopleThresholds.minGenderProbability ? [{ face, score: face.maleProbability }] : []));
  const female = judged.flatMap((face) =>
    face.maleProbability !== undefined && 1 - face.maleProbability >= PeopleThresholds.minGenderProbability ? [{ face, score: 1 - face.maleProbability }] : [],
  );
  // Rekognition reports Male and Female as image-level labels, without boxes.
  add('Male', male, false);
  add('Female', female, false);
  add('Smile', judged.filter((face) => face.happy >= PeopleThresholds.minHappyScore).map((face) => ({ face, score: face.happy })), false);
  return labels;
}
