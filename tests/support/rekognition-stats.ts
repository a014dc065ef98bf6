/** Reads how many calls the local Rekognition has served (its non-AWS stats endpoint), signed as the stack's admin. */
import { inject } from 'vitest';
import { signingName } from '../../local/rekognition/protocol.ts';
import { statsPath, type RekognitionStats } from '../../local/rekognition/stats.ts';
import { fetchAsAdmin, projectStack, type AdminStack } from './admin-signing.ts';

/** A stack's local Rekognition and whose admin may use its hooks; the project's e2e stack unless given. */
export interface RekognitionHooksStack extends AdminStack {
  readonly rekognitionEndpoint: string;
}

export const projectRekognition = (): RekognitionHooksStack => ({ ...projectStack(), rekognitionEndpoint: inject('rekognitionEndpoint') });

export async function rekognitionStats(stack: RekognitionHooksStack = projectRekognition()): Promise<RekognitionStats> {
  const response = await fetchAsAdmin(new URL(statsPath, stack.rekognitionEndpoint), { method: 'GET' }, signingName, stack);
  if (!response.ok) throw new Error(`stats answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as RekognitionStats;
}
