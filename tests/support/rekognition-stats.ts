/** Reads how many calls the local Rekognition has served (its non-AWS stats endpoint), signed as the stack's admin. */
import { inject } from 'vitest';
import { signingName } from '../../local/rekognition/protocol.ts';
import { statsPath, type RekognitionStats } from '../../local/rekognition/stats.ts';
import { fetchAsAdmin } from './admin-signing.ts';

export async function rekognitionStats(): Promise<RekognitionStats> {
  const response = await fetchAsAdmin(new URL(statsPath, inject('rekognitionEndpoint')), { method: 'GET' }, signingName);
  if (!response.ok) throw new Error(`stats answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as RekognitionStats;
}
