/**
 * Decodes an image as Rekognition accepts it (JPEG or PNG only, 80–10,000 px
 * a side as api/limits.ts holds them), applies its
 * EXIF orientation, drops alpha and makes the model inputs. Runs in the
 * engine worker; sharp's own work happens on libuv's thread pool.
 */
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { RekognitionLimits } from '../../../api/limits.ts';
import { ImageDecodeError, ImageProblem } from '../errors.ts';

// Each image is decoded once: libvips' operation cache (up to 50 MB by default) would only hold memory.
sharp.cache(false);

export interface DecodeLimits {
  /** Decompression-bomb guard: sharp refuses to decode more pixels than this. */
  readonly maxPixels: number;
}

/** A part of the source image, as 0–1 ratios of its (oriented) width and height. */
export interface CropRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export const wholeImage: CropRegion = { left: 0, top: 0, width: 1, height: 1 };

/** Where a (cropped part of the) source image sits inside a square model input. */
export interface LetterboxFrame {
  readonly size: number;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** The part of the source image shown. */
  readonly crop: CropRegion;
}

export interface ViewSpec {
  /** @default wholeImage */
  readonly crop?: CropRegion;
  /**
   * Share of the square's side that the longer side of the shown part fills: 1 is
   * the plain letterbox; below 1 zooms out (more padding), so an object that fills
   * the frame looks like the framed objects the detector was trained on.
   * @default 1
   */
  readonly fill?: number;
}

export interface ModelInput {
  /** RGB bytes, `size × size × 3`. */
  readonly pixels: Uint8Array;
  readonly size: number;
}

export interface DecodedImage {
  /** Width and height after EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg' | 'png';
  /** Aspect-preserving, centred, black-padded square (the detector was trained on undistorted objects). */
  letterboxed(size: number): Promise<{ readonly input: ModelInput; readonly frame: LetterboxFrame }>;
  /** Like letterboxed, of a part of the image and/or zoomed out. */
  view(size: number, spec: ViewSpec): Promise<{ readonly input: ModelInput; readonly frame: LetterboxFrame }>;
  /** Whole image stretched to a square (what the nsfwjs classifiers expect). */
  stretched(size: number): Promise<ModelInput>;
  /**
   * SHA-256 over the full-size oriented pixels as decoded, their layout, and what else the model inputs are made
   * from (format, colour space, depth, ICC profile): two files with the same digest give the same model inputs,
   * whatever other bytes they carry (the analysis cache's key, analysis-cache.ts). It decodes the whole image at
   * full size (the model inputs shrink on load), so the caller keeps it to images of a moderate size. Rejects like
   * the other inputs for a file that does not decode.
   */
  pixelDigest(): Promise<string>;
}

/**
 * The model's input values, mirrored left to right when asked: the same floats tf.tensor3d(pixels, 'int32')
 * .toFloat() and tf.reverse(…, 1) would give, made in one pass here. The wasm backend's Reverse took about 55 ms
 * of CPU on a 512 × 512 input (the mirror view of every photo), this loop a few.
 */
export function modelPixels(input: ModelInput, mirrored: boolean): Float32Array {
  const { pixels, size } = input;
  const values = new Float32Array(size * size * 3);
  if (!mirrored) {
    values.set(pixels);
    return values;
  }
  const rowLength = size * 3;
  for (let row = 0; row < size; row++) {
    const rowStart = row * rowLength;
    for (let column = 0; column < size; column++) {
      const from = rowStart + column * 3;
      const to = rowStart + (size - 1 - column) * 3;
      values[to] = pixels[from];
      values[to + 1] = pixels[from + 1];
      values[to + 2] = pixels[from + 2];
    }
  }
  return values;
}

const acceptedFormats = new Set(['jpeg', 'png']);

export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits): Promise<DecodedImage> {
  const open = () => sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' });
  let metadata: Metadata;
  try {
    metadata = await open().metadata();
  } catch (error) {
    throw decodeFailure(error);
  }
  if (!metadata.format || !acceptedFormats.has(metadata.format)) {
    throw new ImageDecodeError(ImageProblem.invalidFormat, 'Request has invalid image format');
  }
  const { width, height } = metadata;
  if (!width || !height) throw new ImageDecodeError(ImageProblem.invalidFormat, 'Request has invalid image format');
  // Rekognition's side limits hold for width and height alike, so EXIF orientation cannot change the verdict.
  if (width > RekognitionLimits.maxSidePx || height > RekognitionLimits.maxSidePx) {
    throw new ImageDecodeError(ImageProblem.dimensionsTooLarge, `Input image dimensions ${width} x ${height} exceed maximum dimension size of ${RekognitionLimits.maxSidePx} pixels`);
  }
  if (width < RekognitionLimits.minSidePx || height < RekognitionLimits.minSidePx) {
    throw new ImageDecodeError(ImageProblem.dimensionsTooSmall, `Input image dimensions ${width} x ${height} are under the minimum of ${RekognitionLimits.minSidePx} pixels a side`);
  }
  if (width * height > limits.maxPixels) throw new ImageDecodeError(ImageProblem.tooLarge, 'Image size is too large.');

  // Orientations 5–8 swap width and height.
  const swapped = (metadata.orientation ?? 1) >= 5;
  const oriented = { width: swapped ? height : width, height: swapped ? width : height };
  // Each input decodes from the source: sharp's shrink-on-load keeps huge images cheap.
  const decode = () => open().rotate();
  const view: DecodedImage['view'] = async (size, spec) => {
    const crop = spec.crop ?? wholeImage;
    const fill = Math.min(1, Math.max(0.1, spec.fill ?? 1));
    const region = {
      left: Math.min(oriented.width - 1, Math.round(crop.left * oriented.width)),
      top: Math.min(oriented.height - 1, Math.round(crop.top * oriented.height)),
      width: 0,
      height: 0,
    };
    region.width = Math.max(1, Math.min(oriented.width - region.left, Math.round(crop.width * oriented.width)));
    region.height = Math.max(1, Math.min(oriented.height - region.top, Math.round(crop.height * oriented.height)));
    const scale = (size * fill) / Math.max(region.width, region.height);
    const width = Math.max(1, Math.min(size, Math.round(region.width * scale)));
    const height = Math.max(1, Math.min(size, Math.round(region.height * scale)));
    const left = Math.floor((size - width) / 2);
    const top = Math.floor((size - height) / 2);
    const whole = region.left === 0 && region.top === 0 && region.width === oriented.width && region.height === oriented.height;
    const source = whole ? decode() : decode().extract(region);
    const resized = await rawRgb(source.resize(width, height, { fit: 'fill' }));
    const padded = sharp(resized.data, { raw: { width: resized.width, height: resized.height, channels: 3 } })
      .extend({ left, top, right: size - width - left, bottom: size - height - top, background: { r: 0, g: 0, b: 0 } });
    const { data } = await rawRgb(padded);
    const shown: CropRegion = {
      left: region.left / oriented.width,
      top: region.top / oriented.height,
      width: region.width / oriented.width,
      height: region.height / oriented.height,
    };
    return { input: { pixels: data, size }, frame: { size, left, top, width, height, crop: shown } };
  };
  // The plain letterbox is asked for by the detector's two base views and by the face pass: decode it once per size.
  const letterboxes = new Map<number, ReturnType<DecodedImage['view']>>();
  const letterboxed: DecodedImage['letterboxed'] = (size) => {
    let cached = letterboxes.get(size);
    if (!cached) letterboxes.set(size, (cached = view(size, {})));
    return cached;
  };
  return {
    ...oriented,
    format: metadata.format as 'jpeg' | 'png',
    letterboxed,
    view: (size, spec) => (spec.crop === undefined && (spec.fill ?? 1) >= 1 ? letterboxed(size) : view(size, spec)),
    async stretched(size) {
      const { data } = await rawRgb(decode().resize(size, size, { fit: 'fill' }));
      return { pixels: data, size };
    },
    async pixelDigest() {
      const hash = createHash('sha256');
      const icc = metadata.icc ? createHash('sha256').update(metadata.icc).digest('hex') : 'none';
      hash.update(`${metadata.format} space=${metadata.space} depth=${metadata.depth} alpha=${metadata.hasAlpha} icc=${icc}\n`);
      let decoded: { data: Buffer; info: OutputInfo };
      try {
        decoded = await decode().raw().toBuffer({ resolveWithObject: true });
      } catch (error) {
        throw decodeFailure(error);
      }
      const { width, height, channels } = decoded.info;
      return hash.update(`${width}x${height}x${channels}\n`).update(decoded.data).digest('hex');
    },
  };
}

async function rawRgb(image: Sharp): Promise<{ data: Uint8Array; width: number; height: number }> {
  try {
    // removeAlpha + srgb: grey, CMYK and alpha images all come out as 3 channels.
    const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, decoded ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (error) {
    throw decodeFailure(error);
  }
}

function decodeFailure(error: unknown): ImageDecodeError {
  if (error instanceof ImageDecodeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new ImageDecodeError(ImageProblem.tooLarge, 'Image size is too large.', { cause: error });
  return new ImageDecodeError(ImageProblem.invalidFormat, 'Request has invalid image format', { cause: error });
}
