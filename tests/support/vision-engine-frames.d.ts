/** Types of ./vision-engine-frames.js (plain JavaScript, so the host runs without a loader). */
import type { Buffer } from 'node:buffer';

export function frame(message: unknown): Buffer;
export function frameReader(onMessage: (message: unknown) => void): (chunk: Buffer) => void;
