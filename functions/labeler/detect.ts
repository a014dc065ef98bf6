/**
 * Runs DetectLabels and DetectModerationLabels on an S3 object and maps the
 * answers onto the schema's Label shape (and, when asked, DetectLabels'
 * IMAGE_PROPERTIES onto Image.properties). Errors that mean "this image can
 * never be labelled" become an UnlabelableImageError; the rest are thrown as
 * they are, so the invocation is retried.
 */
import {
  type DetectLabelsImageProperties,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  type Label as RekognitionLabel,
  type ModerationLabel,
  type Image as RekognitionImage,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { ImageProperties, Label } from '../../api/types.ts';
import { DetectionDeadlineError, UnlabelableImageError } from '../shared/errors.ts';

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


export interface Detection {
  readonly labels: Label[];
  readonly moderationLabels: Label[];
  /** Set when IMAGE_PROPERTIES was requested and answered. */
  readonly properties?: ImageProperties | null;
}

export interface DetectOptions {
  /** Also request IMAGE_PROPERTIES (charged extra on AWS; api/image-properties-setting.ts). */
  readonly imageProperties: boolean;
  /**
   * The detection's bound (time-budget.ts): once aborted, the calls and their retries stop and detect throws
   * DetectionDeadlineError, whatever the client does with the signal. @default - no bound
   */
  readonly signal?: AbortSignal;
}

/** `work`, or DetectionDeadlineError as soon as `signal` aborts. */
async function within<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  // Once cut, its own rejection (the SDK's AbortError) comes later and is nobody's.
  work.catch(() => undefined);
  let cut: () => void = () => undefined;
  const aborted = new Promise<never>((_resolve, reject) => (cut = () => reject(new DetectionDeadlineError())));
  if (signal.aborted) cut();
  else signal.addEventListener('abort', cut, { once: true });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', cut);
  }
}

/** The whole image's quality and dominant colours; Foreground and Background are not kept. */
export const toImageProperties = (properties: DetectLabelsImageProperties): ImageProperties => ({
  quality: {
    brightness: properties.Quality?.Brightness ?? 0,
    sharpness: properties.Quality?.Sharpness ?? 0,
    contrast: properties.Quality?.Contrast ?? 0,
  },
  dominantColors: (properties.DominantColors ?? []).map((color) => ({
    red: color.Red ?? 0,
    green: color.Green ?? 0,
    blue: color.Blue ?? 0,
    hexCode: color.HexCode ?? '',
    cssColor: color.CSSColor ?? '',
    simplifiedColor: color.SimplifiedColor ?? '',
    pixelPercent: color.PixelPercent ?? 0,
  })),
});

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
export async function detect(rekognition: RekognitionClient, image: RekognitionImage, options: DetectOptions = { imageProperties: false }): Promise<Detection> {
  try {
    const abortSignal = options.signal;
    const [labels, moderation] = await within(
      Promise.all([
        rekognition.send(
          new DetectLabelsCommand({
            Image: image,
            MaxLabels: detectionSettings.maxLabels,
            MinConfidence: detectionSettings.minLabelConfidence,
            // Without Features, Rekognition answers GENERAL_LABELS only, at no extra charge.
            ...(options.imageProperties ? { Features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'] } : {}),
          }),
          { abortSignal },
        ),
        rekognition.send(new DetectModerationLabelsCommand({ Image: image, MinConfidence: detectionSettings.minModerationConfidence }), { abortSignal }),
      ]),
      abortSignal,
    );
    return {
      labels: (labels.Labels ?? []).map(toLabel).filter((label) => label.name !== ''),
      moderationLabels: (moderation.ModerationLabels ?? []).map(toModerationLabel).filter((label) => label.name !== ''),
      ...(options.imageProperties ? { properties: labels.ImageProperties ? toImageProperties(labels.ImageProperties) : null } : {}),
    };
  } catch (error) {
    // The SDK answers an abort with its own AbortError: the cause, under the name that says what happened.
    if (options.signal?.aborted && !(error instanceof DetectionDeadlineError)) throw new DetectionDeadlineError({ cause: error });
    if (error instanceof Error && permanentErrors.has(error.name)) {
      throw new UnlabelableImageError(`${error.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
