/**
 * IMAGE_PROPERTIES for the local DetectLabels: decodes the image small with
 * sharp (EXIF orientation applied, as the engine does) and measures it with
 * properties.ts. Call it only on bytes the engine has accepted: the engine is
 * what refuses images Rekognition refuses.
 */
import type { DetectLabelsImageProperties } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { imagePropertiesOf, type PropertiesOptions } from './properties.ts';

export { defaultMaxDominantColors, maxMaxDominantColors, type PropertiesOptions, type Region } from './properties.ts';

// Each image is decoded once: libvips' operation cache (up to 50 MB by default) would only hold memory. Said here, not
// only in engine/decode.ts: the stack's process loads sharp for this module alone, without decode.ts.
sharp.cache(false);

/**
 * Side of the analysed copy: colours and brightness are the same at any size,
 * and sharpness is judged at the scale a viewer sees a photo whole.
 */
export const analysisSize = 256;

export async function imageProperties(bytes: Uint8Array, options: PropertiesOptions): Promise<DetectLabelsImageProperties> {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .rotate()
    .resize(analysisSize, analysisSize, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, decoded ${info.channels}`);
  return imagePropertiesOf({ data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height }, options);
}
