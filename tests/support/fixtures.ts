/**
 * The files in tests/fixtures/, for tests that need their bytes and nothing else: this module loads no client
 * (tests/support/amplify-client.ts exports the same `fixture` beside aws-amplify's clients, about 1 CPU-s to load
 * into a worker that has no other use for them).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';

/** The bytes of tests/fixtures/`name`. */
export const fixture = (name: string): Promise<Buffer> => readFile(path.join(repoRoot, 'tests/fixtures', name));
