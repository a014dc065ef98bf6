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
  /** Whose image it is (api/owner.ts); absent on images stored before owners existed. */
  readonly owner?: string | null;
}

/** Just the schema's Image fields of a stored item (drops table keys and bookkeeping). */
export function toPublicImage(item: Image): Image {
  const { id, status, contentType, sizeBytes, fileName, createdAt, labeledAt, labels, moderationLabels, error } = item;
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
    owner: ownerOfItem(item),
  };
}
