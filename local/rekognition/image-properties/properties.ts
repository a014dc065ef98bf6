/**
 * DetectLabels' IMAGE_PROPERTIES from the pixels, no model: dominant colours
 * (nearest CSS named colour per pixel, most frequent first, with the simplified
 * colour family of that CSS colour) and quality
 * (brightness, contrast, sharpness, each 0–100), for the whole image and, when
 * the caller knows where the objects are, for its foreground and background.
 *
 * Pure functions over RGB pixels; image-properties.ts decodes with sharp.
 */
import type { DetectLabelsImageProperties, DominantColor } from '@aws-sdk/client-rekognition';
import { cssColors, hexCode, nearestCssColor, simplifiedColor, type Rgb } from './colors.ts';

/** Rekognition's default for Settings.ImageProperties.MaxDominantColors. */
export const defaultMaxDominantColors = 10;
/** Rekognition's upper bound for MaxDominantColors. */
export const maxMaxDominantColors = 20;

export interface RgbPixels {
  /** Packed RGB, `width × height × 3`. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** 0–1 ratios of the image, as Rekognition's BoundingBox. */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface PropertiesOptions {
  readonly maxDominantColors: number;
  /** Where the objects are; Foreground and Background are reported only when given and non-empty. */
  readonly foreground?: readonly Region[];
}

/**
 * Laplacian energy at which sharpness reaches ~63: crisp 256 px photos score
 * 45–90 (tests/fixtures), the same photos blurred with sigma 3 under 10.
 */
const sharpnessScale = 800;

const round2 = (value: number) => Math.round(value * 100) / 100;
const luma = (data: Uint8Array, offset: number) => 0.299 * data[offset] + 0.587 * data[offset + 1] + 0.114 * data[offset + 2];

export function imagePropertiesOf(pixels: RgbPixels, options: PropertiesOptions): DetectLabelsImageProperties {
  const everywhere = () => true;
  const whole: DetectLabelsImageProperties = {
    Quality: { ...qualityOf(pixels, everywhere), Contrast: contrastOf(pixels) },
    DominantColors: dominantColorsOf(pixels, everywhere, options.maxDominantColors),
  };
  const regions = options.foreground ?? [];
  if (regions.length === 0) return whole;
  const mask = foregroundMask(pixels, regions);
  const inForeground = (index: number) => mask[index] === 1;
  const inBackground = (index: number) => mask[index] === 0;
  return {
    ...whole,
    Foreground: { Quality: qualityOf(pixels, inForeground), DominantColors: dominantColorsOf(pixels, inForeground, options.maxDominantColors) },
    Background: { Quality: qualityOf(pixels, inBackground), DominantColors: dominantColorsOf(pixels, inBackground, options.maxDominantColors) },
  };
}

/** 1 for pixels inside any region. */
function foregroundMask(pixels: RgbPixels, regions: readonly Region[]): Uint8Array {
  const mask = new Uint8Array(pixels.width * pixels.height);
  for (const region of regions) {
    const x0 = Math.max(0, Math.floor(region.left * pixels.width));
    const y0 = Math.max(0, Math.floor(region.top * pixels.height));
    const x1 = Math.min(pixels.width, Math.ceil((region.left + region.width) * pixels.width));
    const y1 = Math.min(pixels.height, Math.ceil((region.top + region.height) * pixels.height));
    for (let y = y0; y < y1; y += 1) mask.fill(1, y * pixels.width + x0, y * pixels.width + x1);
  }
  return mask;
}

/** Brightness: mean luma. Sharpness: mean squared Laplacian of luma, mapped onto 0–100. Over the selected pixels. */
function qualityOf(pixels: RgbPixels, selected: (index: number) => boolean): { Brightness: number; Sharpness: number } {
  const { data, width, height } = pixels;
  let lumaSum = 0;
  let count = 0;
  let energy = 0;
  let interior = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const index = y * width + x;
      if (!selected(index)) continue;
      const centre = luma(data, index * 3);
      lumaSum += centre;
      count += 1;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) continue;
      const laplacian = luma(data, (index - 1) * 3) + luma(data, (index + 1) * 3) + luma(data, (index - width) * 3) + luma(data, (index + width) * 3) - 4 * centre;
      energy += laplacian * laplacian;
      interior += 1;
    }
  }
  const brightness = count === 0 ? 0 : (lumaSum / count / 255) * 100;
  const sharpness = interior === 0 ? 0 : 100 * (1 - Math.exp(-energy / interior / sharpnessScale));
  return { Brightness: round2(brightness), Sharpness: round2(sharpness) };
}

/** RMS contrast: the standard deviation of luma over its largest possible value (half black, half white). */
function contrastOf(pixels: RgbPixels): number {
  const count = pixels.width * pixels.height;
  let sum = 0;
  let squares = 0;
  for (let index = 0; index < count; index += 1) {
    const value = luma(pixels.data, index * 3);
    sum += value;
    squares += value * value;
  }
  const mean = sum / count;
  const deviation = Math.sqrt(Math.max(0, squares / count - mean * mean));
  return round2(Math.min(100, (deviation / 127.5) * 100));
}

/**
 * Each pixel counts for its nearest CSS colour; the colours covering the most
 * pixels come first, each reported with the mean RGB of its pixels.
 */
function dominantColorsOf(pixels: RgbPixels, selected: (index: number) => boolean, maxColors: number): DominantColor[] {
  if (maxColors === 0) return [];
  const { data } = pixels;
  const count = pixels.width * pixels.height;
  const sums = new Float64Array(cssColors.length * 4);
  // Nearest colour per 5-bit-a-channel cell: at most 32,768 searches however large the image.
  const nearestByCell = new Int16Array(1 << 15).fill(-1);
  let total = 0;
  for (let index = 0; index < count; index += 1) {
    if (!selected(index)) continue;
    const offset = index * 3;
    const cell = ((data[offset] >> 3) << 10) | ((data[offset + 1] >> 3) << 5) | (data[offset + 2] >> 3);
    let nearest = nearestByCell[cell];
    if (nearest < 0) {
      nearest = nearestCssColor({ red: data[offset] | 4, green: data[offset + 1] | 4, blue: data[offset + 2] | 4 });
      nearestByCell[cell] = nearest;
    }
    sums[nearest * 4] += data[offset];
    sums[nearest * 4 + 1] += data[offset + 1];
    sums[nearest * 4 + 2] += data[offset + 2];
    sums[nearest * 4 + 3] += 1;
    total += 1;
  }
  if (total === 0) return [];
  return cssColors
    .map((color, index) => ({ color, pixels: sums[index * 4 + 3], index }))
    .filter((entry) => entry.pixels > 0)
    .sort((a, b) => b.pixels - a.pixels || a.index - b.index)
    .slice(0, maxColors)
    .map(({ color, pixels: colorPixels, index }) => {
      const mean: Rgb = {
        red: Math.round(sums[index * 4] / colorPixels),
        green: Math.round(sums[index * 4 + 1] / colorPixels),
        blue: Math.round(sums[index * 4 + 2] / colorPixels),
      };
      return {
        Red: mean.red,
        Green: mean.green,
        Blue: mean.blue,
        HexCode: hexCode(mean),
        CSSColor: color.name,
        SimplifiedColor: simplifiedColor(color),
        PixelPercent: round2((colorPixels / total) * 100),
      };
    });
}
