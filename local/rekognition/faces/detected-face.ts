/**
 * A face as the face models describe it: what face-analyzer.ts produces and
 * people-labels.ts turns into Rekognition's labels. Its own module so that
 * neither of those imports the other.
 */

/** A face found in the image, with what the models say about it; scores 0–1 as the models give them. */
export interface DetectedFace {
  /** 0–1 ratios of the source image, clamped. */
  readonly box: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
  /** blazeface's score. */
  readonly detectionScore: number;
  /** facemesh's score: how face-like the region is. */
  readonly meshScore: number;
  /** faceres: probability the face is a man's (0.5 = unsure); undefined when the model gave none. */
  readonly maleProbability?: number;
  /** The emotion model's "happy" score. */
  readonly happy: number;
  /** faceres' age estimate in years (its most likely bin, interpolated as Human does); undefined when the model gave none. */
  readonly age?: number;
}

/** A face as blazeface and the mesh found it, before any attribute model ran. */
export type FoundFace = Pick<DetectedFace, 'box' | 'detectionScore' | 'meshScore'>;
