/** TypeScript shapes of the schema's Image and Label, as stored and published. */
import { ownerOfItem } from './owner.ts';

export const ImageStatus = { PENDING: 'PENDING', LABELED: 'LABELED', FAILED: 'FAILED' } as const;
export type ImageStatus = (typeof ImageStatus)[keyof typeof ImageStatus];

export interface BoundingBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface Instance {
  readonly confidence: number;
  readonly boundingBox: BoundingBox;
}

export interface Label {
  readonly name: string;
  readonly confidence: number;
  readonly parents: readonly string[];
  /** Other names of the label (Rekognition's Aliases); searchable like the name. */
  readonly aliases: readonly string[];
  readonly categories: readonly string[];
  readonly instances: readonly Instance[];
}

/** One of Rekognition's DominantColors: mean RGB of the pixels nearest a CSS colour, and their share (0–100). */
export interface DominantColor {
  readonly red: number;
  readonly green: number;
  readonly blue: number;
  readonly hexCode: string;
  readonly cssColor: string;
  readonly simplifiedColor: string;
  readonly pixelPercent: number;
}

/** Rekognition's image quality, each 0–100. */
export interface ImageQuality {
  readonly brightness: number;
  readonly sharpness: number;
  readonly contrast: number;
}

/** DetectLabels' IMAGE_PROPERTIES of the whole image (api/image-properties-setting.ts turns it on). */
export interface ImageProperties {
  readonly quality: ImageQuality;
  readonly dominantColors: readonly DominantColor[];
}

export interface Image {
  readonly id: string;
  readonly status: ImageStatus;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly fileName?: string | null;
  readonly createdAt: string;
  readonly labeledAt?: string | null;
  readonly labels: readonly Label[];
  readonly moderationLabels: readonly Label[];
  readonly error?: string | null;
  /** Dominant colours and quality, when the stack's imageProperties setting is on; null otherwise. */
  readonly properties?: ImageProperties | null;
  /** Whose image it is (api/owner.ts); absent on images stored before owners existed. */
  readonly owner?: string | null;
}

/** Just the schema's Image fields of a stored item (drops table keys and bookkeeping). */
export function toPublicImage(item: Image): Image {
  const { id, status, contentType, sizeBytes, fileName, createdAt, labeledAt, labels, moderationLabels, error, properties } = item;
  // The owner travels with the image (label entries, onImageLabeled), so subscribers can be filtered on it.
  return {
    id,
    status,
    contentType,
    sizeBytes,
    fileName: fileName ?? null,
    createdAt,
    labeledAt: labeledAt ?? null,
    labels,
    moderationLabels,
    error: error ?? null,
    properties: properties ?? null,
    owner: ownerOfItem(item),
  };
}
