/**
 * The engine worker's one call into the face models: faces only for images
 * with a confident Person detection, so other photos cost nothing and the
 * models load on the first photo of people (face-analyzer.ts).
 */
import type { LetterboxFrame, ModelInput } from '../engine/decode.ts';
import type { DetectedObject } from '../engine/object-detector.ts';
import { faceAnalyzer, type DetectedFace } from './face-analyzer.ts';
import { hasConfidentPerson } from './people-labels.ts';

/** A letterboxed square of the image at the detector's input size. */
export type LetterboxedInput = () => Promise<{ readonly input: ModelInput; readonly frame: LetterboxFrame }>;

/** The faces in the letterboxed image, or undefined when no person was detected (then nothing is letterboxed or loaded). */
export async function facesOfPeople(letterboxed: LetterboxedInput, objects: readonly DetectedObject[]): Promise<DetectedFace[] | undefined> {
  if (!hasConfidentPerson(objects.filter((object) => object.className === 'person'))) return undefined;
  const { input, frame } = await letterboxed();
  return (await faceAnalyzer()).analyze(input, frame);
}
