/** Reads how many calls the local Rekognition has served (its non-AWS stats endpoint). */
import { inject } from 'vitest';
import { statsPath, type RekognitionStats } from '../../local/rekognition/stats.ts';

export async function rekognitionStats(): Promise<RekognitionStats> {
  const response = await fetch(new URL(statsPath, inject('rekognitionEndpoint')));
  if (!response.ok) throw new Error(`stats answered HTTP ${response.status}`);
  return (await response.json()) as RekognitionStats;
}
