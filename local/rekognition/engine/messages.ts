/** Messages between the engine (main thread) and its worker. */
import type { ImageProblem } from './decode.ts';
import type { ModerationSignals } from '../moderation.ts';
import type { DetectedObject } from './object-detector.ts';
import type { DetectedFace } from '../faces/detected-face.ts';

export interface AnalysisTasks {
  readonly objects: boolean;
  readonly moderation: boolean;
  /** Faces and their attributes, only when `objects` finds a person (../faces/). */
  readonly faces?: boolean;
}

export interface ImageAnalysis {
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg' | 'png';
  readonly objects?: readonly DetectedObject[];
  readonly nsfw?: ModerationSignals;
  /** Set when faces were asked for and a person was found. */
  readonly faces?: readonly DetectedFace[];
  readonly inferenceMs: number;
}

export interface EngineInfo {
  readonly loadMs: number;
  readonly models: readonly string[];
}

export type ToWorker =
  | { readonly type: 'analyze'; readonly id: number; readonly bytes: Uint8Array; readonly tasks: AnalysisTasks };

export type FromWorker =
  | { readonly type: 'ready'; readonly info: EngineInfo }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'analysis'; readonly id: number; readonly analysis: ImageAnalysis }
  | { readonly type: 'rejected'; readonly id: number; readonly problem: ImageProblem | 'internal'; readonly message: string };
