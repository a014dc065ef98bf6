/**
 * The CLI's cached bundle (client-example/cli/cli-bundle.js): built once, reused while its inputs are as they were,
 * rebuilt when one changes, so an edit to the CLI is never hidden behind a stale bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshCliBundle } from '../../client-example/cli/cli-bundle.js';

const root = mkdtempSync(path.join(tmpdir(), 'labelcast-cli-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (bundle: string) => execFileSync(process.execPath, [bundle], { encoding: 'utf8' }).trim();

/** Writes `file` as saved a minute ago: settled, as sources are by the time a command runs. */
function writeSettled(file: string, content: string): void {
  writeFileSync(file, content);
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(file, minuteAgo, minuteAgo);
}

describe('the CLI bundle cache', () => {
  it('reuses the bundle while its inputs are unchanged and rebuilds it when one changes', async () => {
    // Prepare: an entry importing a module of its own
    mkdirSync(path.join(root, 'src'));
    writeSettled(path.join(root, 'src', 'greeting.js'), "export const greeting = 'first';\n");
    writeSettled(path.join(root, 'src', 'main.js'), "import { greeting } from './greeting.js';\nconsole.log(greeting);\n");

    // Act and assess: built, then kept
    const built = await freshCliBundle(root, 'src/main.js');
    expect(built).toBe(path.join(root, 'node_modules', '.cache', 'labelcast', 'cli', 'cli.mjs'));
    expect(run(built!)).toBe('first');
    const builtAt = statSync(built!).mtimeMs;
    expect(await freshCliBundle(root, 'src/main.js')).toBe(built);
    expect(statSync(built!).mtimeMs).toBe(builtAt);

    // Act and assess: an imported module changes, so the bundle is rebuilt
    writeSettled(path.join(root, 'src', 'greeting.js'), "export const greeting = 'second, edited';\n");
    expect(run((await freshCliBundle(root, 'src/main.js'))!)).toBe('second, edited');
  });

  it('does not take a bundle from another build for the one its inputs file describes', async () => {
    // Prepare: a kept bundle, then another build's bundle renamed over it (two first starts at once)
    writeSettled(path.join(root, 'src', 'greeting.js'), "export const greeting = 'kept';\n");
    const kept = (await freshCliBundle(root, 'src/main.js'))!;
    writeFileSync(kept, "console.log('from another build');\n");

    // Act and assess
    expect(run((await freshCliBundle(root, 'src/main.js'))!)).toBe('kept');
  });

  it('does not keep a bundle as fresh when an input was saved just before or during its build', async () => {
    // Prepare: a source saved now, as an editor saves while a command starts
    writeFileSync(path.join(root, 'src', 'greeting.js'), "export const greeting = 'third';\n");

    // Act: two starts in a row
    const built = await freshCliBundle(root, 'src/main.js');
    const builtAt = statSync(built!).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await freshCliBundle(root, 'src/main.js');

    // Assess: both run the new source, and the second start built again rather than trusting the first
    expect(run(again!)).toBe('third');
    expect(statSync(again!).mtimeMs).toBeGreaterThan(builtAt);
  });

  it('answers undefined when the entry cannot be built, so the launcher falls back to tsx', async () => {
    writeFileSync(path.join(root, 'broken.js'), 'export const = ;\n');
    expect(await freshCliBundle(root, 'broken.js')).toBeUndefined();
  });
});
