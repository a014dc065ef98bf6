/**
 * The engine worker's one call into the face models: faces only for images
 * with a confident Person big enough to show a face blazeface can find, so
 * other photos cost nothing and the models load on the first photo of people
 * (face-analyzer.ts). The attribute models run only on the faces
 * people-labels.ts will judge.
 *
 * The whole letterboxed image is searched, not crops of the person boxes: in
 * a crowded photo the detector misses people whose faces blazeface finds
 * (kpa-bar55: the couple in front has no Person box of its own), and those
 * faces are how people-labels.ts counts them.
 */
import type { LetterboxFrame, ModelInput } from '../engine/decode.ts';
import type { DetectedObject } from '../engine/object-detector.ts';
import type { DetectedFace } from './detected-face.ts';
import { faceAnalyzer } from './face-analyzer.ts';
import { isJudgedFace, mayShowFace } from './people-labels.ts';

/** A letterboxed square of the image at the detector's input size. */
export type LetterboxedInput = () => Promise<{ readonly input: ModelInput; readonly frame: LetterboxFrame }>;

/** The faces in the letterboxed image, or undefined when no person could show one (then nothing is letterboxed or loaded). */
export async function facesOfPeople(
  letterboxed: LetterboxedInput,
  objects: readonly DetectedObject[],
  image: { readonly width: number; readonly height: number },
): Promise<DetectedFace[] | undefined> {
  const persons = objects.filter((object) => object.className === 'person');
  if (!mayShowFace(persons, image)) return undefined;
  const { input, frame } = await letterboxed();
  return (await faceAnalyzer()).analyze(input, frame, (face) => isJudgedFace(face, persons));
}
