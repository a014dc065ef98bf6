/** Messages between the engine (main thread) and its worker. */
import type { ImageProblem } from '../errors.ts';
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
  /** How long the model passes took; for an analysis from the cache (analysis-cache.ts), the look-up. */
  readonly inferenceMs: number;
}

export interface EngineInfo {
  readonly loadMs: number;
  readonly models: readonly string[];
}

export interface EngineWorkerData {
  readonly maxPixels: number;
  /** The analysis cache's bound in serialized bytes; 0 turns it off. */
  readonly analysisCacheBytes: number;
}

export type ToWorker =
  | { readonly type: 'analyze'; readonly id: number; readonly bytes: Uint8Array; readonly tasks: AnalysisTasks };

export type FromWorker =
  | { readonly type: 'ready'; readonly info: EngineInfo }
  | { readonly type: 'failed'; readonly message: string }
  /** `cached`: answered from the worker's analysis cache (analysis-cache.ts), no model ran. */
  | { readonly type: 'analysis'; readonly id: number; readonly analysis: ImageAnalysis; readonly cached: boolean }
  | { readonly type: 'rejected'; readonly id: number; readonly problem: ImageProblem | 'internal'; readonly message: string };
