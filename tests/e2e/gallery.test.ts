/**
 * The web gallery in a real browser (Debian's chromium, driven by
 * playwright-core) against the running offline stack: drop a photo, watch
 * its labels arrive live, search for it, see its thumbnail.
 * Screenshots go to test-output/; LABELCAST_UPDATE_SCREENSHOT=1 also
 * refreshes the README's docs/gallery.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { amplifyOutputs } from '../support/amplify-client.ts';

const chromiumPath = '/usr/bin/chromium';
const outputDir = path.join(repoRoot, 'test-output');

/** Drops files on an element the way a user's drag and drop does: a `drop` event carrying a DataTransfer. */
async function dropFiles(page: Page, selector: string, files: readonly { name: string; type: string; bytes: Buffer }[]) {
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

describe.skipIf(!existsSync(chromiumPath))('Gallery: client-example/web in chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    userDataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      // The local AppSync's CA is self-signed; a person trusts .labelcast/tls/ca.pem instead (README).
      ignoreHTTPSErrors: true,
      viewport: { width: 1024, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('drops a photo, shows its labels live, finds it by search with a thumbnail', async () => {
    // Prepare
    const browserErrors: string[] = [];
    page.on('pageerror', (error) => browserErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(message.text());
    });
    await page.goto(inject('galleryUrl'));
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#connection').textContent()).toBe('Live');

    // Act: drop two photos on the drop zone
    await dropFiles(page, '#drop-zone', [
      { name: 'cat.jpg', type: 'image/jpeg', bytes: await readFile(path.join(repoRoot, 'tests/fixtures/cat.jpg')) },
      { name: 'astronaut.jpg', type: 'image/jpeg', bytes: await readFile(path.join(repoRoot, 'tests/fixtures/astronaut.jpg')) },
    ]);
    const catCard = page.locator('.upload-card', { hasText: 'cat.jpg' });
    await catCard
      .locator('.chip', { hasText: /^Cat\b/ })
      .waitFor()
      .catch(async (error: unknown) => {
        // Say where the card got stuck (status text, or the browser's errors) rather than just "timeout".
        throw new Error(`${String(error)}\ncards: ${await page.locator('.upload-card').allInnerTexts()}\nbrowser: ${browserErrors}`);
      });

    // Assess: the card went LABELED live, with boxes on the photo
    await expect(catCard.getAttribute('data-status')).resolves.toBe('LABELED');
    expect(await catCard.locator('.box[data-label="Cat"]').count()).toBeGreaterThan(0);
    const catId = await catCard.getAttribute('data-image-id');
    expect(catId).toBeTruthy();
    await page.locator('.upload-card', { hasText: 'astronaut.jpg' }).locator('.chips').waitFor();

    // Act: type the start of a label, pick up the catalog's suggestion, search Animal
    await page.getByRole('combobox', { name: 'Label' }).fill('Ani');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLOptionElement>('datalist option')).some((option) => option.value === 'Animal' && /\(\d+\)/.test(option.label)),
    );
    await page.getByRole('combobox', { name: 'Label' }).fill('Animal');
    await page.getByRole('button', { name: 'Search' }).click();
    const tile = page.locator(`.tile[data-image-id="${catId}"]`);
    await tile.waitFor();

    // Assess: the tile shows the presigned WebP thumbnail, loaded from S3
    const thumbnail = tile.locator('img');
    await expect(thumbnail.getAttribute('src')).resolves.toMatch(/thumbnails\/.+\.webp\?.*X-Amz-Signature=/);
    await page.waitForFunction((id) => {
      const img = document.querySelector<HTMLImageElement>(`.tile[data-image-id="${id}"] img`);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, catId);
    const size = await thumbnail.evaluate((img: HTMLImageElement) => ({ width: img.naturalWidth, height: img.naturalHeight }));
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(320);
    expect(browserErrors).toEqual([]);

    await page.screenshot({ path: path.join(outputDir, 'gallery.png'), fullPage: true });
    if (process.env.LABELCAST_UPDATE_SCREENSHOT === '1') {
      await page.screenshot({ path: path.join(repoRoot, 'docs/gallery.png'), fullPage: true });
    }

    // The detail view opens from the keyboard and closes with Escape
    await tile.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog[open] .chip', { hasText: /^Cat\b/ }).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
  });

  it('fits a phone-width screen without horizontal scrolling', async () => {
    // Act
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(inject('galleryUrl'));
    await page.waitForSelector('body[data-ready="true"]');

    // Assess
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByLabel('Choose photos…').count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(outputDir, 'gallery-phone.png'), fullPage: true });
  });

  it('sends a strict Content-Security-Policy that lets the page reach only this stack, and enforces it', async () => {
    // Act
    const response = await page.goto(inject('galleryUrl'));
    await page.waitForSelector('body[data-ready="true"]');
    const headers = response?.headers() ?? {};
    const directives = Object.fromEntries(
      (headers['content-security-policy'] ?? '').split(';').map((directive) => {
        const [name, ...sources] = directive.trim().split(/\s+/);
        return [name, sources];
      }),
    );

    // Assess: only this stack's AppSync (HTTPS and WSS) and S3, no framing, no inline code
    const graphql = new URL(amplifyOutputs().data.url);
    const s3 = new URL(inject('s3Endpoint')).origin;
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'", graphql.origin, `wss://${graphql.host}`, s3]);
    expect(directives['img-src']).toEqual(["'self'", 'blob:', 'data:', s3]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    // The browser enforces it: a call to any other origin is refused.
    const violated = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
          void fetch('https://127.0.0.1:9/').catch(() => undefined);
        }),
    );
    expect(violated).toBe('connect-src');
  });

  it('serves the gallery with the stack\'s amplify_outputs.json', async () => {
    const outputs = await page.evaluate(async () => (await fetch('./amplify_outputs.json')).json());
    expect(outputs).toMatchObject({ data: { url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/) } });
  });
});

