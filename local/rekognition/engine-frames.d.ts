/** Types of ./engine-frames.js (plain JavaScript, so the host runs without a loader). */
import type { Buffer } from 'node:buffer';

export function frame(message: unknown): Buffer;
export const maxFrameBodyBytes: number;
export class FrameTooLargeError extends Error {
  constructor(length: number, maxBytes: number);
}
export function frameReader(onMessage: (message: unknown) => void, maxBytes?: number): (chunk: Buffer) => void;
