/** Sets and clears faults in the local Rekognition (its non-AWS fault endpoint, local/rekognition/faults.ts), signed as the stack's admin. */
import { faultsPath, type FaultSpec } from '../../local/rekognition/faults.ts';
import { signingName } from '../../local/rekognition/protocol.ts';
import { fetchAsAdmin } from './admin-signing.ts';
import { projectRekognition, type RekognitionHooksStack } from './rekognition-stats.ts';

async function call(stack: RekognitionHooksStack, method: 'PUT' | 'DELETE', body?: FaultSpec): Promise<void> {
  const response = await fetchAsAdmin(new URL(faultsPath, stack.rekognitionEndpoint), { method, body: body && JSON.stringify(body) }, signingName, stack);
  if (!response.ok) throw new Error(`faults answered HTTP ${response.status}: ${await response.text()}`);
}

export const injectFault = (spec: FaultSpec, stack: RekognitionHooksStack = projectRekognition()): Promise<void> => call(stack, 'PUT', spec);
export const clearFaults = (stack: RekognitionHooksStack = projectRekognition()): Promise<void> => call(stack, 'DELETE');
