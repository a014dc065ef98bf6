/**
 * Settings of the offline stack, from the environment:
 * - LABELCAST_STATE_DIR: where all state lives (default `.labelcast` in the repo).
 * - LABELCAST_PORT: first of four consecutive ports (default 4750); 0 picks free ports.
 * - LABELCAST_OUTPUTS: where amplify_outputs.json is written (default the repo root).
 */
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';

export interface LocalStackConfig {
  readonly stateDir: string;
  readonly host: '127.0.0.1';
  readonly ports: { readonly appsync: number; readonly s3: number; readonly dynamodb: number; readonly rekognition: number };
  readonly region: string;
  readonly bucketName: string;
  readonly tableName: string;
  readonly outputsPath: string;
}

export const defaultBasePort = 4750;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): LocalStackConfig {
  const base = env.LABELCAST_PORT === undefined ? defaultBasePort : Number(env.LABELCAST_PORT);
  if (!Number.isInteger(base) || base < 0 || base > 65532) {
    throw new Error(`LABELCAST_PORT must be a port number, got ${env.LABELCAST_PORT}`);
  }
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  return {
    stateDir: path.resolve(env.LABELCAST_STATE_DIR ?? path.join(repoRoot, '.labelcast')),
    host: '127.0.0.1',
    ports: { appsync: port(0), s3: port(1), dynamodb: port(2), rekognition: port(3) },
    region: 'us-east-1',
    bucketName: 'labelcast-uploads',
    tableName: 'labelcast-images',
    outputsPath: path.resolve(env.LABELCAST_OUTPUTS ?? path.join(repoRoot, 'amplify_outputs.json')),
  };
}
