/**
 * The web gallery in Debian's chromium, driven by playwright-core, for the
 * gallery e2e tests: launch, drop files as a user's drag and drop does, and
 * find a card by what a user sees.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { repoRoot } from '../../api/bundle.ts';

export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const outputDir = path.join(repoRoot, 'test-output');

export interface GalleryBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and console errors, for assertions and failure messages. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function launchGalleryBrowser(viewport = { width: 1280, height: 900 }): Promise<GalleryBrowser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    // The local CA is self-signed; a person trusts .labelcast/tls/ca.pem instead (README).
    ignoreHTTPSErrors: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface DroppedFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Buffer;
}

export const fixtureFile = async (name: string, as = name, type = 'image/jpeg'): Promise<DroppedFile> => ({
  name: as,
  type,
  bytes: await readFile(path.join(repoRoot, 'tests/fixtures', name)),
});

/** Drops files on an element the way a user's drag and drop does: a `drop` event carrying a DataTransfer. */
export async function dropFiles(page: Page, selector: string, files: readonly DroppedFile[]): Promise<void> {
  const payload = files.map((file) => ({ name: file.name, type: file.type, base64: file.bytes.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return transfer;
  }, payload);
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/** Opens the gallery and waits until it is live and has read the first page of the library. */
export async function openGallery(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
}

/** The library card of the newest upload named `fileName`. */
export const libraryCard = (page: Page, fileName: string): Locator => page.locator('#library .card', { has: page.locator('.file-name', { hasText: fileName }) }).first();

/** Waits for a card to reach `status`, saying where it got stuck (status text, browser errors) rather than just "timeout". */
export async function untilStatus(card: Locator, status: string, browser: Pick<GalleryBrowser, 'errors'>, timeout = 60_000): Promise<void> {
  await card
    .and(card.page().locator(`[data-status="${status}"]`))
    .waitFor({ timeout })
    .catch(async (error: unknown) => {
      const text = await card.innerText().catch(() => '(no card)');
      throw new Error(`${String(error)}\ncard: ${text}\nbrowser: ${browser.errors.join('\n')}`);
    });
}
