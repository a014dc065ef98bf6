import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialStore, loadOrCreateCredentials } from '../../local/iam/credentials.ts';
import { tempDirs } from '../support/temp-dirs.ts';

describe('local credentials', () => {
  const freshDir = tempDirs('labelcast-iam-');

  it('creates one key pair with mode 0600 and loads the same pair again', () => {
    const dir = freshDir();
    const created = loadOrCreateCredentials(dir);
    expect(created.accessKeyId).toMatch(/^LKIA[A-Z2-7]{16}$/);
    expect(created.secretAccessKey).toHaveLength(40);
    expect(statSync(path.join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateCredentials(dir)).toEqual(created);

    const store = credentialStore(created);
    expect(store.lookup(created.accessKeyId)).toEqual(created);
    expect(store.lookup('LKIAUNKNOWN')).toBeUndefined();
  });
});
