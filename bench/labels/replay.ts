/**
 * Replays the object detector's post-processing (which views run, how they
 * combine, the calibration) on raw view detections recorded by
 * bench/labels-record-views.ts, so the fit can try view policies and floors
 * without running the models again. Uses the engine's own functions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';
import { calibratedConfidence, classRawAtFloor } from '../../local/rekognition/engine/calibration.ts';
import { cocoClassNames, type CocoClassName } from '../../local/rekognition/engine/model-classes.ts';
import { combineViews, crowdedClasses, fuseBase, needsZoomOut, viewPolicy, type ViewPolicy, type ViewRuns } from '../../local/rekognition/engine/views.ts';
import type { RawDetection } from '../../local/rekognition/engine/fusion.ts';

export interface RecordedViews {
  readonly file: string;
  readonly split: string;
  readonly width: number;
  readonly height: number;
  /** Every view, whether or not the policy runs it. */
  readonly views: Required<Omit<ViewRuns, 'zoomFar'>> & Pick<ViewRuns, 'zoomFar'>;
  /** Views the shipped policy does not run (bench/labels-record-views.ts names them), by name. */
  readonly candidates: Readonly<Record<string, readonly RawDetection[]>>;
}

export interface ReplayedDetection extends RawDetection {
  readonly className: CocoClassName;
  readonly confidence: number;
}

/** All recordings in bench/results (labels-views.json and its shards), by file name. */
export function loadRecordedViews(): Map<string, RecordedViews> {
  const directory = path.join(repoRoot, 'bench/results');
  const files = existsSync(directory) ? readdirSync(directory).filter((name) => /^labels-views(\.\d+)?\.json$/.test(name)) : [];
  const recorded = files.flatMap((name) => JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as RecordedViews[]);
  return new Map(recorded.map((entry) => [entry.file, entry]));
}

/** The views the policy would run on this image, as the detector decides them. */
export function viewsRun(recorded: RecordedViews, policy: ViewPolicy = viewPolicy): ViewRuns {
  const fused = fuseBase(recorded.views.base, policy);
  return {
    base: recorded.views.base,
    zoom: needsZoomOut(fused, policy) ? recorded.views.zoom : undefined,
    // Recordings made before the further zoom was shipped hold it as a candidate view.
    zoomFar: needsZoomOut(fused, policy) ? (recorded.views.zoomFar ?? recorded.candidates.zoomFar) : undefined,
    tiles: crowdedClasses(fused, policy).size > 0 ? recorded.views.tiles : undefined,
  };
}

export function replay(
  recorded: RecordedViews,
  policy: ViewPolicy = viewPolicy,
  floors: Partial<Record<CocoClassName, number>> = classRawAtFloor,
): ReplayedDetection[] {
  return combineViews(viewsRun(recorded, policy), policy).map((detection) => {
    const className = cocoClassNames[detection.classIndex];
    return { ...detection, className, confidence: calibratedConfidence(detection.score, className, floors) };
  });
}
