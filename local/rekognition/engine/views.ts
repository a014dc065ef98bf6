/**
 * Which views of an image the object detector looks at, and how their
 * detections are combined. Pure functions, so the bench can replay them on
 * recorded raw detections when fitting (bench/labels-fit.ts, with
 * bench/labels/replay.ts).
 *
 *   base   the letterboxed image and its mirror, fused (fusion.ts): always.
 *   zoom   the image shrunk into the middle of the square, padded, at two
 *          scales (60 % and 40 % of the side), fused: only when the base
 *          views found nothing sure. An orange or an apple that fills the
 *          frame is missed by centernet at full size (it was trained on
 *          framed objects) and found once it has a margin; a ball or a cup
 *          close up needs the wider one. Fusing the two halves a peak that
 *          only one scale sees.
 *   tiles  2 × 2 overlapping crops at a larger scale, meant for a crowd or a
 *          flock: only those classes are taken from the tiles, and only where
 *          the base views had no instance already. OFF (crowdMin below): at
 *          the default floor they changed no label and no counted instance on
 *          the fit half (0 of the 14 photos where they ran), for four more
 *          detector runs on each, which put photos of people at 3.2–3.7 times
 *          their cost before issue 16.
 * So an ordinary photo costs the two base views, as before; the zoomed-out
 * views are paid by the images that need them.
 */
import type { CropRegion } from './decode.ts';
import { fuseViews, intersectionOverUnion, suppressDuplicates, type Box, type RawDetection } from './fusion.ts';

export const viewPolicy = {
  nmsIou: 0.5,
  fusionIou: 0.55,
  /** The zoomed-out view runs when no fused base detection reaches this raw score. */
  zoomOutBelow: 0.3,
  /** Share of the square the image fills in the zoomed-out view... */
  zoomFill: 0.6,
  /** ...and in the one zoomed out further, fused with it. */
  zoomFarFill: 0.4,
  /**
   * A class is crowded with at least this many base instances of at least crowdScore... Infinity: the tiles
   * never run. With 3 (issue 16's second session) they ran on 19 of the 149 photos and added an instance at
   * the default floor on one, a held-out statue crowd where "person" is not scored (bench/labels-compare-views.ts
   * rows "tiles when ..."; issue 16's third session). crowdScore 0.3, not 0.15: at 0.15 they ran on 33 photos
   * (a lone person's fragments, a pyramid, a jellyfish).
   */
  crowdMin: Number.POSITIVE_INFINITY,
  crowdScore: 0.3,
  /** ...each smaller than this share of the image. */
  crowdMaxArea: 0.15,
  /** Side of a tile as a share of the image side (2 × 2 tiles overlap by 2 × side − 1). */
  tileSide: 0.6,
  /** A tile detection overlapping a kept one this much (intersection over the smaller box) is the same object. */
  sameObjectOverlap: 0.5,
  /** Tile detections under this raw score are not added. */
  tileMinScore: 0.2,
} as const;

export type ViewPolicy = { readonly [key in keyof typeof viewPolicy]: number };

/** Raw detections of each view, boxes already in the source image's frame. */
export interface ViewRuns {
  readonly base: readonly (readonly RawDetection[])[];
  readonly zoom?: readonly RawDetection[];
  /** Zoomed out further; fused with `zoom` when both ran. */
  readonly zoomFar?: readonly RawDetection[];
  readonly tiles?: readonly (readonly RawDetection[])[];
}

export function fuseBase(base: ViewRuns['base'], policy: ViewPolicy = viewPolicy): RawDetection[] {
  return fuseViews(base.map((view) => suppressDuplicates(view, policy.nmsIou)), policy.fusionIou);
}

export function needsZoomOut(fusedBase: readonly RawDetection[], policy: ViewPolicy = viewPolicy): boolean {
  return !fusedBase.some((detection) => detection.score >= policy.zoomOutBelow);
}

const area = (box: Box) => Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);

/** Classes with several small instances, which tiles can add to. */
export function crowdedClasses(fusedBase: readonly RawDetection[], policy: ViewPolicy = viewPolicy): Set<number> {
  const counts = new Map<number, number>();
  for (const detection of fusedBase) {
    if (detection.score < policy.crowdScore || area(detection.box) > policy.crowdMaxArea) continue;
    counts.set(detection.classIndex, (counts.get(detection.classIndex) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= policy.crowdMin).map(([classIndex]) => classIndex));
}

export function tileRegions(): CropRegion[] {
  const side = viewPolicy.tileSide;
  return [0, 1 - side].flatMap((top) => [0, 1 - side].map((left) => ({ left, top, width: side, height: side })));
}

/** Intersection over the smaller box: a tile's cut-off half of a person still matches the whole one. */
function overlapOfSmaller(a: Box, b: Box): number {
  const overlap = area({ x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) });
  const smaller = Math.min(area(a), area(b));
  return smaller > 0 ? overlap / smaller : 0;
}

export function combineViews(runs: ViewRuns, policy: ViewPolicy = viewPolicy): RawDetection[] {
  const fusedBase = fuseBase(runs.base, policy);
  const result: RawDetection[] = [...fusedBase];
  const zoomViews = [runs.zoom, runs.zoomFar].filter((view) => view !== undefined);
  if (zoomViews.length > 0) {
    for (const detection of fuseViews(zoomViews.map((view) => suppressDuplicates(view, policy.nmsIou)), policy.fusionIou)) {
      const same = result.findIndex((kept) => kept.classIndex === detection.classIndex && intersectionOverUnion(kept.box, detection.box) > policy.fusionIou);
      if (same < 0) result.push(detection);
      else if (detection.score > result[same].score) result[same] = { ...result[same], score: detection.score };
    }
  }
  if (runs.tiles) {
    const crowded = crowdedClasses(fusedBase, policy);
    const fromTiles = suppressDuplicates(
      runs.tiles.flat().filter((detection) => crowded.has(detection.classIndex) && detection.score >= policy.tileMinScore),
      policy.nmsIou,
    );
    for (const detection of fromTiles) {
      const known = result.some((kept) => kept.classIndex === detection.classIndex && overlapOfSmaller(kept.box, detection.box) > policy.sameObjectOverlap);
      if (!known) result.push(detection);
    }
  }
  return result.sort((a, b) => b.score - a.score);
}
