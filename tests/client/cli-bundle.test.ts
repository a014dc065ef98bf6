/**
 * The CLI's cached bundle (client-example/cli/cli-bundle.js): built once, reused while its inputs are as they were,
 * rebuilt when one changes, so an edit to the CLI is never hidden behind a stale bundle.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutCacheDir } from '../../api/cached-bundle.js';
import { freshCliBundle } from '../../client-example/cli/cli-bundle.js';
import { programOutput } from '../support/program-output.ts';

const root = mkdtempSync(path.join(tmpdir(), 'labelcast-cli-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Waits until what was written is settled (2 s by its change time, which cannot be set back), as sources are by the time a command runs. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2100));

describe('the CLI bundle cache', () => {
  it('reuses the bundle while its inputs are unchanged and rebuilds it when one changes', async () => {
    // Prepare: an entry importing a module of its own
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'greeting.js'), "export const greeting = 'first';\n");
    writeFileSync(path.join(root, 'src', 'main.js'), "import { greeting } from './greeting.js';\nconsole.log(greeting);\n");
    await settle();

    // Act and assess: built, then kept
    const built = await freshCliBundle(root, 'src/main.js');
    expect(built).toBe(path.join(checkoutCacheDir(root, 'cli'), path.basename(path.dirname(built!)), 'cli.mjs'));
    expect(await programOutput(built!)).toBe('first');
    const builtAt = statSync(built!).mtimeMs;
    expect(await freshCliBundle(root, 'src/main.js')).toBe(built);
    expect(statSync(built!).mtimeMs).toBe(builtAt);

    // Act and assess: an imported module changes, so the bundle is rebuilt
    writeFileSync(path.join(root, 'src', 'greeting.js'), "export const greeting = 'second, edited';\n");
    expect(await programOutput((await freshCliBundle(root, 'src/main.js'))!)).toBe('second, edited');
  });

  it('does not keep a bundle as fresh when an input was saved just before or during its build', async () => {
    // Prepare: a source saved now, as an editor saves while a command starts
    writeFileSync(path.join(root, 'src', 'greeting.js'), "export const greeting = 'third';\n");

    // Act: two starts in a row
    const built = await freshCliBundle(root, 'src/main.js');
    const again = await freshCliBundle(root, 'src/main.js');

    // Assess: both run the new source, and the second start built again (a build of its own) rather than trusting the first
    expect(await programOutput(built!)).toBe('third');
    expect(await programOutput(again!)).toBe('third');
    expect(again).not.toBe(built);
  });

  it('answers undefined when the entry cannot be built, so the launcher falls back to tsx', async () => {
    writeFileSync(path.join(root, 'broken.js'), 'export const = ;\n');
    expect(await freshCliBundle(root, 'broken.js')).toBeUndefined();
  });
});
