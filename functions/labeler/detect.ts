/**
 * Runs DetectLabels and DetectModerationLabels on an S3 object and maps the
 * answers onto the schema's Label shape. Errors that mean "this image can
 * never be labelled" become an UnlabelableImageError; the rest are thrown as
 * they are, so the invocation is retried.
 */
import {
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  type Label as RekognitionLabel,
  type ModerationLabel,
  type Image as RekognitionImage,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { Label } from '../../api/types.ts';

export const detectionSettings = {
  maxLabels: 50,
  minLabelConfidence: 55,
  minModerationConfidence: 50,
} as const;

/** Rekognition errors that retrying cannot fix. */
const permanentErrors = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidS3ObjectException',
  'InvalidParameterException',
]);

export class UnlabelableImageError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnlabelableImageError';
  }
}

export interface Detection {
  readonly labels: Label[];
  readonly moderationLabels: Label[];
}

const toLabel = (label: RekognitionLabel): Label => ({
  name: label.Name ?? '',
  confidence: label.Confidence ?? 0,
  parents: (label.Parents ?? []).map((parent) => parent.Name ?? '').filter(Boolean),
  aliases: (label.Aliases ?? []).map((alias) => alias.Name ?? '').filter(Boolean),
  categories: (label.Categories ?? []).map((category) => category.Name ?? '').filter(Boolean),
  instances: (label.Instances ?? []).map((instance) => ({
    confidence: instance.Confidence ?? 0,
    boundingBox: {
      left: instance.BoundingBox?.Left ?? 0,
      top: instance.BoundingBox?.Top ?? 0,
      width: instance.BoundingBox?.Width ?? 0,
      height: instance.BoundingBox?.Height ?? 0,
    },
  })),
});

const toModerationLabel = (label: ModerationLabel): Label => ({
  name: label.Name ?? '',
  confidence: label.Confidence ?? 0,
  parents: label.ParentName ? [label.ParentName] : [],
  aliases: [],
  categories: [],
  instances: [],
});

/** `image` is an S3 object or bytes (see rekognition-image.ts). */
export async function detect(rekognition: RekognitionClient, image: RekognitionImage): Promise<Detection> {
  try {
    const [labels, moderation] = await Promise.all([
      rekognition.send(
        new DetectLabelsCommand({
          Image: image,
          MaxLabels: detectionSettings.maxLabels,
          MinConfidence: detectionSettings.minLabelConfidence,
        }),
      ),
      rekognition.send(
        new DetectModerationLabelsCommand({ Image: image, MinConfidence: detectionSettings.minModerationConfidence }),
      ),
    ]);
    return {
      labels: (labels.Labels ?? []).map(toLabel).filter((label) => label.name !== ''),
      moderationLabels: (moderation.ModerationLabels ?? []).map(toModerationLabel).filter((label) => label.name !== ''),
    };
  } catch (error) {
    if (error instanceof Error && permanentErrors.has(error.name)) {
      throw new UnlabelableImageError(`${error.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
