/**
 * IMAGE_PROPERTIES: the pixel maths (properties.ts, colors.ts) on made-up
 * images, then the feature through the local DetectLabels with the AWS SDK.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DetectLabelsCommand } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { nearestCssColor, cssColors, simplifiedColor } from '../../local/rekognition/image-properties/colors.ts';
import { imageProperties } from '../../local/rekognition/image-properties/index.ts';
import { imagePropertiesOf, type RgbPixels } from '../../local/rekognition/image-properties/properties.ts';
import { repoRoot } from '../../api/bundle.ts';
import { childModule } from '../support/child-module.ts';
import { describeEngineTests, useLocalRekognition } from '../support/local-rekognition.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');

/** A `width × height` image of one colour, or of the colour `paint(x, y)` gives. */
function pixelsOf(width: number, height: number, paint: (x: number, y: number) => [number, number, number]): RgbPixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.set(paint(x, y), (y * width + x) * 3);
  }
  return { data, width, height };
}

describe('Function: imagePropertiesOf', () => {
  it('gives a solid colour as the one dominant colour, at 100%, with its CSS name and family', () => {
    // Prepare: CSS "orange" is ffa500.
    const orange = pixelsOf(64, 48, () => [255, 165, 0]);

    // Act
    const properties = imagePropertiesOf(orange, { maxDominantColors: 10 });

    // Assess
    expect(properties.DominantColors).toEqual([
      { Red: 255, Green: 165, Blue: 0, HexCode: '#ffa500', CSSColor: 'orange', SimplifiedColor: 'orange', PixelPercent: 100 },
    ]);
    expect(properties.Quality?.Contrast).toBe(0);
    expect(properties.Quality?.Sharpness).toBe(0);
  });

  it('rates a black image at brightness 0 and a white one at 100', () => {
    const black = imagePropertiesOf(pixelsOf(32, 32, () => [0, 0, 0]), { maxDominantColors: 10 });
    const white = imagePropertiesOf(pixelsOf(32, 32, () => [255, 255, 255]), { maxDominantColors: 10 });

    expect(black.Quality?.Brightness).toBe(0);
    expect(black.DominantColors?.[0]).toMatchObject({ CSSColor: 'black', SimplifiedColor: 'black', PixelPercent: 100 });
    expect(white.Quality?.Brightness).toBe(100);
    expect(white.DominantColors?.[0]).toMatchObject({ CSSColor: 'white', SimplifiedColor: 'white' });
  });

  it('splits a half-red, half-blue image 50/50, with full contrast between black and white halves', () => {
    const halves = imagePropertiesOf(pixelsOf(40, 40, (x) => (x < 20 ? [255, 0, 0] : [0, 0, 255])), { maxDominantColors: 10 });
    const blackWhite = imagePropertiesOf(pixelsOf(40, 40, (x) => (x < 20 ? [0, 0, 0] : [255, 255, 255])), { maxDominantColors: 10 });

    expect(halves.DominantColors?.map((color) => [color.CSSColor, color.SimplifiedColor, color.PixelPercent])).toEqual([
      ['blue', 'blue', 50],
      ['red', 'red', 50],
    ]);
    expect(blackWhite.Quality?.Contrast).toBe(100);
  });

  it('keeps at most MaxDominantColors colours, none for 0', () => {
    const stripes = pixelsOf(30, 10, (x) => [[255, 0, 0], [0, 255, 0], [0, 0, 255]][x % 3] as [number, number, number]);

    expect(imagePropertiesOf(stripes, { maxDominantColors: 2 }).DominantColors).toHaveLength(2);
    expect(imagePropertiesOf(stripes, { maxDominantColors: 0 }).DominantColors).toEqual([]);
  });

  it('reports the foreground and background of the given regions apart, and neither without regions', () => {
    // Prepare: a white square on black, the square given as the foreground.
    const square = pixelsOf(40, 40, (x, y) => (x >= 10 && x < 30 && y >= 10 && y < 30 ? [255, 255, 255] : [0, 0, 0]));

    // Act
    const properties = imagePropertiesOf(square, { maxDominantColors: 3, foreground: [{ left: 0.25, top: 0.25, width: 0.5, height: 0.5 }] });

    // Assess
    expect(properties.Foreground?.DominantColors?.[0]).toMatchObject({ CSSColor: 'white', PixelPercent: 100 });
    expect(properties.Foreground?.Quality?.Brightness).toBe(100);
    expect(properties.Background?.DominantColors?.[0]).toMatchObject({ CSSColor: 'black', PixelPercent: 100 });
    expect(properties.Background?.Quality?.Brightness).toBe(0);
    expect(imagePropertiesOf(square, { maxDominantColors: 3 }).Foreground).toBeUndefined();
  });
});

describe('Function: simplifiedColor', () => {
  it('puts CSS colours in the families their names say', () => {
    const family = (name: string) => simplifiedColor(cssColors[cssColors.findIndex((color) => color.name === name)]);
    expect(['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'gray', 'black', 'white'].map(family)).toEqual([
      'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'grey', 'black', 'white',
    ]);
    expect(cssColors[nearestCssColor({ red: 250, green: 128, blue: 114 })].name).toBe('salmon');
  });
});

describe('Function: imageProperties', () => {
  it('rates a photo sharper than the same photo blurred, and its brightness alike', async () => {
    const cat = await readFile(path.join(fixtures, 'cat.jpg'));
    const blurred = await sharp(cat).blur(3).jpeg().toBuffer();

    const [sharpCat, blurredCat] = await Promise.all([imageProperties(cat, { maxDominantColors: 3 }), imageProperties(blurred, { maxDominantColors: 3 })]);

    expect(sharpCat.Quality?.Sharpness).toBeGreaterThan(3 * (blurredCat.Quality?.Sharpness ?? 0));
    expect(Math.abs((sharpCat.Quality?.Brightness ?? 0) - (blurredCat.Quality?.Brightness ?? 0))).toBeLessThan(2);
  });

  it("turns libvips' operation cache off in a process that loads sharp for it alone, as the stack's process does", async () => {
    // Prepare: a process of its own, since the cache is the process's (a test process may have loaded engine/decode.ts)
    const { execArgv, url } = await childModule('local/rekognition/image-properties/index.ts');
    const script = "await import(process.argv[1]); const { default: sharp } = await import('sharp'); console.log(JSON.stringify(sharp.cache()));";

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, [...execArgv, '--input-type=module', '-e', script, url], { cwd: repoRoot });

    // Assess
    expect(JSON.parse(stdout)).toMatchObject({ memory: { max: 0 }, files: { max: 0 }, items: { max: 0 } });
  });
});

describeEngineTests('DetectLabels with Features IMAGE_PROPERTIES', () => {
  const local = useLocalRekognition();

  const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error);

  it('answers ImageProperties in Rekognition shape, with the foreground where the cat is', async () => {
    // Prepare
    const image = { Bytes: await readFile(path.join(fixtures, 'cat.jpg')) };

    // Act
    const answer = await local.client.send(
      new DetectLabelsCommand({ Image: image, Features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'], Settings: { ImageProperties: { MaxDominantColors: 4 } } }),
    );

    // Assess
    expect(answer.Labels?.map((label) => label.Name)).toContain('Cat');
    const properties = answer.ImageProperties;
    expect(properties?.DominantColors).toHaveLength(4);
    for (const color of properties?.DominantColors ?? []) {
      expect(color).toEqual({
        Red: expect.any(Number),
        Green: expect.any(Number),
        Blue: expect.any(Number),
        HexCode: expect.stringMatching(/^#[0-9a-f]{6}$/),
        CSSColor: expect.any(String),
        SimplifiedColor: expect.any(String),
        PixelPercent: expect.any(Number),
      });
    }
    for (const value of Object.values(properties?.Quality ?? {})) expect(value).toBeGreaterThan(0);
    expect(Object.keys(properties?.Quality ?? {}).sort()).toEqual(['Brightness', 'Contrast', 'Sharpness']);
    expect(properties?.Foreground?.DominantColors?.length).toBeGreaterThan(0);
    expect(properties?.Background?.Quality?.Brightness).toEqual(expect.any(Number));
  });

  it('answers IMAGE_PROPERTIES alone with no labels, and GENERAL_LABELS alone with no properties', async () => {
    // The cat, whose labels the test above had analysed already (tests/support/local-rekognition.ts).
    const image = { Bytes: await readFile(path.join(fixtures, 'cat.jpg')) };

    const propertiesOnly = await local.client.send(new DetectLabelsCommand({ Image: image, Features: ['IMAGE_PROPERTIES'] }));
    const labelsOnly = await local.client.send(new DetectLabelsCommand({ Image: image }));

    expect(propertiesOnly.Labels).toEqual([]);
    expect(propertiesOnly.ImageProperties?.DominantColors).toHaveLength(10);
    expect(labelsOnly.ImageProperties).toBeUndefined();
  });

  it('refuses an unknown feature and a MaxDominantColors over 20 with InvalidParameterException', async () => {
    const image = { Bytes: await readFile(path.join(fixtures, 'coffee.jpg')) };

    const unknown = await errorOf(local.client.send(new DetectLabelsCommand({ Image: image, Features: ['COLOURS' as 'IMAGE_PROPERTIES'] })));
    const tooMany = await errorOf(
      local.client.send(new DetectLabelsCommand({ Image: image, Features: ['IMAGE_PROPERTIES'], Settings: { ImageProperties: { MaxDominantColors: 21 } } })),
    );

    expect(unknown?.name).toBe('InvalidParameterException');
    expect(tooMany?.name).toBe('InvalidParameterException');
  });
});
