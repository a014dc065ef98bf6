/**
 * The evaluation set in tests/fixtures/eval: openly licensed photos from Debian
 * packages, each with the COCO classes a person saw in it (hand-checked) and
 * the classes too ambiguous to score (a statue for "person", a bison for "cow").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';

/** `fit` tunes the calibration; `heldout` is only ever reported on. Fixed in the manifest: alternate images of each source. */
export type Split = 'fit' | 'heldout';

export interface EvalImage {
  readonly file: string;
  readonly split: Split;
  /** COCO classes present. */
  readonly classes: readonly string[];
  /** COCO classes whose presence is ambiguous: a detection of them is neither right nor wrong. */
  readonly ignore: readonly string[];
  readonly adult: false;
  readonly source: { readonly package: string; readonly version: string; readonly path: string };
  readonly licence: string;
  readonly author?: string;
  readonly origin?: string;
}

export const evalDirectory = path.join(repoRoot, 'tests/fixtures/eval');

export function loadEvalSet(): EvalImage[] {
  const manifest = JSON.parse(readFileSync(path.join(evalDirectory, 'manifest.json'), 'utf8')) as { images: EvalImage[] };
  return manifest.images;
}

export function imageBytes(image: EvalImage): Buffer {
  return readFileSync(path.join(evalDirectory, image.file));
}
