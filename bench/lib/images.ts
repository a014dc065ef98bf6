/**
 * Distinct photos for benchmarks: the test fixtures re-encoded with small
 * changes (crop, flip, quality), so no two uploads share bytes and every one
 * costs a real inference.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../../api/bundle.ts';

const sources = ['cat.jpg', 'astronaut.jpg', 'coffee.jpg', 'rocket.jpg'];

/** The fixture the `index`th of distinctImages' photos is made from. */
export const distinctImageSource = (index: number): string => sources[index % sources.length];

export async function distinctImages(count: number): Promise<Buffer[]> {
  const originals = await Promise.all(sources.map((name) => readFile(path.join(repoRoot, 'tests/fixtures', name))));
  const images: Buffer[] = [];
  for (let index = 0; index < count; index += 1) {
    const original = sharp(originals[index % originals.length]);
    const { width = 512, height = 512 } = await original.metadata();
    const trim = index % 17;
    let variant = original.extract({ left: trim, top: trim % 5, width: width - trim * 2, height: height - (trim % 5) * 2 });
    if (index % 2 === 1) variant = variant.flop();
    images.push(await variant.jpeg({ quality: 80 + (index % 15) }).toBuffer());
  }
  return images;
}

/**
 * A photo of a given width, for engine latency at that size. Each `variant` is encoded at another JPEG quality,
 * so its pixels differ: the stack's engine answers pixels it has analysed before from its cache
 * (local/rekognition/engine/analysis-cache.ts), and a latency measured on repeats would be the cache's.
 */
export async function photoOfWidth(width: number, variant = 0): Promise<Buffer> {
  const cat = await readFile(path.join(repoRoot, 'tests/fixtures', 'cat.jpg'));
  return sharp(cat).resize({ width, kernel: 'lanczos3' }).jpeg({ quality: 90 - variant }).toBuffer();
}
