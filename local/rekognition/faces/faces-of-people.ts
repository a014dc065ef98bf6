/**
 * The engine worker's one call into the face models: faces only for images
 * with a confident Person detection, so other photos cost nothing and the
 * models load on the first photo of people (face-analyzer.ts).
 */
import type { LetterboxFrame, ModelInput } from '../engine/decode.ts';
import type { DetectedObject } from '../engine/object-detector.ts';
import { faceAnalyzer, type DetectedFace } from './face-analyzer.ts';
import { hasConfidentPerson } from './people-labels.ts';

/** The faces in the detector's letterboxed input, or undefined when no person was detected. */
export async function facesOfPeople(input: ModelInput, frame: LetterboxFrame, objects: readonly DetectedObject[]): Promise<DetectedFace[] | undefined> {
  if (!hasConfidentPerson(objects.filter((object) => object.className === 'person'))) return undefined;
  return (await faceAnalyzer()).analyze(input, frame);
}
