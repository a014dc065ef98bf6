/**
 * The CLI's cached bundle (client-example/cli/cli-bundle.js): built once, reused while its inputs are as they were,
 * rebuilt when one changes, so an edit to the CLI is never hidden behind a stale bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshCliBundle } from '../../client-example/cli/cli-bundle.js';

const root = mkdtempSync(path.join(tmpdir(), 'labelcast-cli-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (bundle: string) => execFileSync(process.execPath, [bundle], { encoding: 'utf8' }).trim();

describe('the CLI bundle cache', () => {
  it('reuses the bundle while its inputs are unchanged and rebuilds it when one changes', async () => {
    // Prepare: an entry importing a module of its own
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'greeting.js'), "export const greeting = 'first';\n");
    writeFileSync(path.join(root, 'src', 'main.js'), "import { greeting } from './greeting.js';\nconsole.log(greeting);\n");

    // Act and assess: built, then kept
    const built = await freshCliBundle(root, 'src/main.js');
    expect(built).toBe(path.join(root, 'node_modules', '.cache', 'labelcast', 'cli', 'cli.mjs'));
    expect(run(built!)).toBe('first');
    const builtAt = statSync(built!).mtimeMs;
    expect(await freshCliBundle(root, 'src/main.js')).toBe(built);
    expect(statSync(built!).mtimeMs).toBe(builtAt);

    // Act and assess: an imported module changes, so the bundle is rebuilt
    writeFileSync(path.join(root, 'src', 'greeting.js'), "export const greeting = 'second, edited';\n");
    expect(run((await freshCliBundle(root, 'src/main.js'))!)).toBe('second, edited');
  });

  it('answers undefined when the entry cannot be built, so the launcher falls back to tsx', async () => {
    writeFileSync(path.join(root, 'broken.js'), 'export const = ;\n');
    expect(await freshCliBundle(root, 'broken.js')).toBeUndefined();
  });
});
