/** Sets and clears faults in the local Rekognition (its non-AWS fault endpoint, local/rekognition/faults.ts), signed as the stack's admin. */
import { inject } from 'vitest';
import { faultsPath, type FaultSpec } from '../../local/rekognition/faults.ts';
import { signingName } from '../../local/rekognition/protocol.ts';
import { fetchAsAdmin } from './admin-signing.ts';

async function call(method: 'PUT' | 'DELETE', body?: FaultSpec): Promise<void> {
  const response = await fetchAsAdmin(new URL(faultsPath, inject('rekognitionEndpoint')), { method, body: body && JSON.stringify(body) }, signingName);
  if (!response.ok) throw new Error(`faults answered HTTP ${response.status}: ${await response.text()}`);
}

export const injectFault = (spec: FaultSpec): Promise<void> => call('PUT', spec);
export const clearFaults = (): Promise<void> => call('DELETE');
