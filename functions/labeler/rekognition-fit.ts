/**
 * Decides how an upload reaches Rekognition within its fixed limits
 * (RekognitionLimits, api/limits.ts): as its own bytes, already read, sent
 * as Image.Bytes (a small upload), as the S3 object itself (a larger one),
 * as a resized JPEG sent as Image.Bytes, or not at all (with the reason,
 * naming the limit). Pure: rekognition-image.ts reads the dimensions and
 * does the resizing.
 *
 * Why a small upload goes as its bytes: the labeler has read them already,
 * pinned to the event's ETag, so Rekognition is given exactly that version
 * and no check that the object is still it (a HeadObject after Rekognition's
 * own read, pinned-object.ts) has to follow detection; Rekognition reads no
 * object either. The bytes travel twice (DetectLabels and
 * DetectModerationLabels, base64 in JSON, 4/3 of their size each), which
 * below `inlineOriginalMaxBytes` costs less than that round trip; a larger
 * upload is read by Rekognition from S3, within the region.
 *
 * The resize keeps the aspect ratio (to within rounding, under a pixel a
 * side), so the bounding boxes Rekognition returns, which are ratios of the
 * image's width and height, hold for the original as they do for the copy.
 *
 * Small images are scaled up to 80 px on their short side: interpolation adds
 * no content, so Rekognition finds in the copy what is in the original (often
 * nothing at that size, and the image is LABELED with few or no labels),
 * which tells the user more than FAILED would. An image whose aspect ratio is
 * over 125:1 (10,000 / 80) fits no scale and fails.
 */
import { RekognitionLimits } from '../../api/limits.ts';

/** What rekognition-image.ts reads of an upload. */
export interface ImageFacts {
  /** As stored, before EXIF orientation. */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation (1–8); 5–8 swap width and height. */
  readonly orientation?: number;
  readonly sizeBytes: number;
  readonly contentType: string;
  /** The decoder the bytes need (sharp's metadata.format: 'jpeg', 'png', 'webp'); sets the resize's pixel limit. */
  readonly format?: string;
  /** A progressive JPEG (its decoder holds every coefficient of the image at once), or an interlaced PNG (decoded whole). */
  readonly progressive?: boolean;
}

export type RekognitionFit =
  /** Rekognition gets the upload's own bytes as Image.Bytes, unchanged. */
  | { readonly kind: 'original' }
  /** Rekognition reads the S3 object itself. */
  | { readonly kind: 'object' }
  /** Rekognition gets a JPEG of these dimensions (after EXIF orientation) as Image.Bytes. */
  | { readonly kind: 'bytes'; readonly width: number; readonly height: number; readonly why: string }
  /** No copy Rekognition accepts can be made: the image ends FAILED with this reason. */
  | { readonly kind: 'unfit'; readonly reason: string };

/**
 * Uploads within Rekognition's limits up to this size go as their own bytes
 * (see above); 256 KiB, well under the 5,000,000 Rekognition takes as Bytes.
 */
export const inlineOriginalMaxBytes = 256 * 1024;

/**
 * Decompression-bomb guard for the resize: at most this many pixels are
 * decoded, by decoder, so that the resize (and the thumbnail after it, made
 * once the Rekognition requests are sent) fit in the labeler's 512 MB.
 * Measured 2026-12-01 (sharp 0.35.5, node 20, lambdaNodeFlags(512),
 * MALLOC_ARENA_MAX=2): peak RSS of one process running jpegWithin at the
 * image's own size, then renderThumbnail, ~70 MiB of it node and sharp.
 * - Baseline JPEG and PNG stream through libvips: 100 MP 126–128 MiB, the
 *   12,000 × 8,000 panorama 161 MiB. (With the encoder's optimiseCoding,
 *   which holds every coefficient of the output, a 60 MP copy alone peaked
 *   at 464 MiB: it is off, rekognition-image.ts.)
 * - A progressive JPEG's decoder holds the whole image's coefficients, and
 *   the thumbnail decodes it again after the copy: 40 MP 342 MiB, 60 MP
 *   463 MiB.
 * - libwebp decodes the whole frame at once (no shrink on load at the
 *   image's own size): 30 MP 333 MiB, 40 MP 465 MiB, 60 MP 638 MiB; the
 *   9,999 × 9,999 WebP an attacker sent was killed at 512 MB 30 times.
 * - An interlaced (Adam7) PNG, which sharp reports as progressive, is
 *   decoded whole too, 4 bytes a pixel with alpha (8 at 16 bits): the copy
 *   alone, RGBA, 30 MP 261 MiB, 40 MP 316 MiB, 60 MP 396 MiB, and a 4.1 MB
 *   100 MP one 535 MiB (a review, 2026-12-01): the WebP's limit.
 * The labeler's own code and SDK clients need room beside that: the margin.
 */
export const maxResizeInputPixels = {
  streamed: 100_000_000,
  progressiveJpeg: 40_000_000,
  webp: 30_000_000,
  interlacedPng: 30_000_000,
} as const;

/** The resize's pixel limit for these bytes; the strictest for a decoder not measured. */
export function resizeInputPixelLimit(facts: Pick<ImageFacts, 'format' | 'progressive'>): number {
  if (facts.format === 'png') return facts.progressive ? maxResizeInputPixels.interlacedPng : maxResizeInputPixels.streamed;
  if (facts.format === 'jpeg') return facts.progressive ? maxResizeInputPixels.progressiveJpeg : maxResizeInputPixels.streamed;
  return maxResizeInputPixels.webp;
}

const decoderName = (facts: Pick<ImageFacts, 'format' | 'progressive'>) =>
  facts.format === 'jpeg'
    ? facts.progressive
      ? 'a progressive JPEG'
      : 'a JPEG'
    : facts.format === 'png'
      ? facts.progressive
        ? 'an interlaced PNG'
        : 'a PNG'
      : facts.format === 'webp'
        ? 'a WebP'
        : 'this format';

const { minSidePx, maxSidePx } = RekognitionLimits;
const grouped = (value: number) => value.toLocaleString('en-US');
const sides = (width: number, height: number) => `${width}×${height} px`;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Why the object itself cannot be handed to Rekognition, if it cannot. */
function whyNotTheObject(facts: ImageFacts): string | undefined {
  if (!(RekognitionLimits.contentTypes as readonly string[]).includes(facts.contentType)) return `${facts.contentType} is not JPEG or PNG`;
  if (facts.sizeBytes > RekognitionLimits.maxS3ObjectBytes) return `${grouped(facts.sizeBytes)} bytes is over ${grouped(RekognitionLimits.maxS3ObjectBytes)} from S3`;
  const { width, height } = facts;
  if (Math.max(width, height) > maxSidePx) return `${sides(width, height)} is over ${grouped(maxSidePx)} px a side`;
  if (Math.min(width, height) < minSidePx) return `${sides(width, height)} is under ${minSidePx} px a side`;
  return undefined;
}

export function rekognitionFit(facts: ImageFacts): RekognitionFit {
  const why = whyNotTheObject(facts);
  if (why === undefined) return facts.sizeBytes <= inlineOriginalMaxBytes ? { kind: 'original' } : { kind: 'object' };

  const swapped = (facts.orientation ?? 1) >= 5;
  const width = swapped ? facts.height : facts.width;
  const height = swapped ? facts.width : facts.height;
  const tooLarge = Math.max(width, height) > maxSidePx;
  const limit = resizeInputPixelLimit(facts);
  if (width * height > limit) {
    return {
      kind: 'unfit',
      reason: `ImageTooLargeException: image is ${sides(width, height)} (${grouped(width * height)} pixels); at most ${grouped(limit)} pixels of ${decoderName(facts)} are resized to fit Rekognition (${why})`,
    };
  }
  // Every scale in [lowest, highest] puts both sides within Rekognition's limits; 1 (no resize) when it can.
  const lowest = Math.max(minSidePx / width, minSidePx / height);
  const highest = Math.min(maxSidePx / width, maxSidePx / height);
  if (lowest > highest) {
    const ratio = Math.round(Math.max(width, height) / Math.min(width, height));
    return {
      kind: 'unfit',
      reason: `${tooLarge ? 'ImageTooLargeException' : 'InvalidParameterException'}: image is ${sides(width, height)}; Rekognition needs ${minSidePx}–${grouped(maxSidePx)} px a side and its ${ratio}:1 aspect ratio cannot fit`,
    };
  }
  const scale = clamp(1, lowest, highest);
  return {
    kind: 'bytes',
    width: clamp(Math.round(width * scale), minSidePx, maxSidePx),
    height: clamp(Math.round(height * scale), minSidePx, maxSidePx),
    why,
  };
}
