/**
 * The web gallery in a real browser (Debian's chromium, driven by
 * playwright-core) against the running offline stack, as a user sees it:
 * the library opens on your images and survives a reload, uploads join its
 * top with live labels, the detail view shows everything and deletes,
 * captions on boxes never overlap, flagged tiles stay readable, and files
 * that are no image or that you already have say so.
 * Screenshots go to test-output/; LABELCAST_UPDATE_SCREENSHOT=1 also
 * refreshes docs/gallery-library.png (a browsed library with the detail view beside it).
 *
 * All e2e files share one stack and the API key's space, so the library holds
 * other tests' images too: this file finds its own cards by file name and
 * uploads bytes nobody else has (jpegVariant).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../../api/bundle.ts';
import type { Image } from '../../../client-example/graphql/index.ts';
import { publishImageLabeledMutation } from '../../../functions/shared/appsync-publisher.ts';
import { amplifyOutputs, labelcastClient, configureStackAmplify } from '../../support/amplify-client.ts';
import { fetchAsAdmin } from '../../support/admin-signing.ts';
import {
  dropFiles,
  fixtureFile,
  hasChromium,
  launchGalleryBrowser,
  libraryCard,
  openGallery,
  outputDir,
  untilStatus,
  type DroppedFile,
  type GalleryBrowser,
} from '../../support/gallery-browser.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { untilSearchable } from '../../support/searchable.ts';

const run = randomUUID().slice(0, 8);
/** A fixture photo under a name and with bytes of this run only. */
const uniquePhoto = async (fixture: string): Promise<DroppedFile> => {
  const file = await fixtureFile(fixture);
  return { ...file, name: `${path.basename(fixture, '.jpg')}-${run}.jpg`, bytes: jpegVariant(file.bytes) };
};

/**
 * What the labeler publishes (IAM-signed, its own publishImageLabeled document), for states the offline model
 * does not produce. Subscribers get the fields the publishing mutation selects (AppSync's rule), and the
 * labeler's selects every field the gallery subscribes to.
 */
async function publishAsLabeler(image: Image, change: Partial<Image>): Promise<void> {
  const { __typename, ...fields } = { ...image, ...change } as Image & { __typename?: string };
  void __typename;
  const strip = (labels: Image['labels'] | Image['moderationLabels']) =>
    labels.map((label) => ({ categories: [], instances: [], aliases: [], ...label }));
  const input = { ...fields, labels: strip(fields.labels), moderationLabels: strip(fields.moderationLabels) };
  const response = await fetchAsAdmin(
    amplifyOutputs().data.url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: publishImageLabeledMutation, variables: { input } }),
    },
    'appsync',
  );
  const body = (await response.json()) as { errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`publishImageLabeled: HTTP ${response.status} ${JSON.stringify(body)}`);
}

/** expect.poll with room for a shared 2-core machine (its default gives up after a second). */
const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 30_000 });

const rectsOf = (locator: Locator) => locator.evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().toJSON() as DOMRect));
const overlap = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe.skipIf(!hasChromium)('Gallery: client-example/web in chromium', () => {
  beforeAll(() => configureStackAmplify());
  let browser: GalleryBrowser;
  let page: Page;
  const photos: Record<'cat' | 'astronaut' | 'coffee' | 'rocket', DroppedFile> = {} as never;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    browser = await launchGalleryBrowser();
    page = browser.page;
    photos.cat = await uniquePhoto('cat.jpg');
    photos.astronaut = await uniquePhoto('astronaut.jpg');
    photos.coffee = await uniquePhoto('coffee.jpg');
    photos.rocket = await uniquePhoto('rocket.jpg');
  });

  afterEach(async () => {
    // A test that failed with the detail view open must not leave the page inert for the next one.
    await page?.evaluate(() => document.querySelector<HTMLDialogElement>('dialog[open]')?.close());
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('drops photos: they join the top of the library and get their own labels live', async () => {
    // Prepare
    await openGallery(page, inject('galleryUrl'));
    expect(await page.locator('#connection').textContent()).toBe('Live');

    // Act
    await dropFiles(page, '#drop-zone', [photos.rocket, photos.cat, photos.astronaut, photos.coffee]);

    // Assess: each card ends LABELED with its own top labels and boxes on the photo
    for (const [key, photo] of Object.entries(photos)) {
      const card = libraryCard(page, photo.name);
      await untilStatus(card, 'LABELED', browser);
      ids[key] = (await card.getAttribute('data-image-id'))!;
    }
    const cat = libraryCard(page, photos.cat.name);
    expect(await cat.locator('.chip', { hasText: /^Cat\b/ }).count()).toBe(1);
    expect(await cat.locator('.box[data-label="Cat"]').count()).toBeGreaterThan(0);
    expect(await libraryCard(page, photos.astronaut.name).locator('.chip', { hasText: /^Cat\b/ }).count()).toBe(0);
    // The uploads are the newest: the top cards of the grid
    const top = await page.locator('#library .card').evaluateAll((cards, count) => cards.slice(0, count).map((card) => (card as HTMLElement).dataset.imageId), Object.keys(photos).length);
    expect(new Set(top)).toEqual(new Set(Object.values(ids)));
    expect(browser.errors).toEqual([]);
  });

  it('opens on your images after a reload, newest first, each with its own labels', async () => {
    // Act
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');

    // Assess
    for (const [key, id] of Object.entries(ids)) {
      const card = page.locator(`#library .card[data-image-id="${id}"]`);
      await expect(card.getAttribute('data-status')).resolves.toBe('LABELED');
      await expect(card.locator('.file-name').textContent()).resolves.toBe(photos[key as keyof typeof photos].name);
      await card.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    }
    expect(await page.locator(`#library .card[data-image-id="${ids.cat}"] .chip`, { hasText: /^Cat\b/ }).count()).toBe(1);
    const created = await page.locator('#library .card').evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.createdAt ?? ''));
    expect(created).toEqual([...created].sort().reverse());
    // Thumbnails are served over HTTPS like the page: no mixed content
    const sources = await page.locator('#library img').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).src));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(src).toMatch(/^https:\/\/.+thumbnails\/.+X-Amz-Signature=/);
    expect(browser.errors).toEqual([]);
  });

  it('shows the detail view: labels with confidences and categories, facts, boxes whose captions never overlap', async () => {
    // Act
    await page.locator(`#library .card[data-image-id="${ids.coffee}"] .card-open`).click();
    const dialog = page.locator('dialog#detail[open]');
    await dialog.waitFor();
    await dialog.locator('.detail-picture img').evaluate((img: HTMLImageElement) => img.decode());

    // Assess: the facts and label table
    await expect(dialog.locator('#detail-title').textContent()).resolves.toBe(photos.coffee.name);
    const facts = await dialog.locator('.facts').innerText();
    expect(facts).toContain(photos.coffee.name);
    expect(facts).toContain(`${photos.coffee.bytes.byteLength.toLocaleString('en-US')} bytes`);
    await poll(() => dialog.locator('.dimensions').textContent()).toMatch(/^\d+ × \d+ px$/);
    const rows = dialog.locator('.labels-table').first().locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(1);
    await expect(rows.first().locator('td').first().textContent()).resolves.toMatch(/^\d+%$/);

    // Assess: several boxes, each caption visible and inside the picture, no two captions overlapping
    const frame = (await rectsOf(dialog.locator('.detail-picture .frame')))[0];
    const captions = await rectsOf(dialog.locator('.box-label:not([hidden])'));
    expect(await dialog.locator('.box').count()).toBeGreaterThan(1);
    expect(captions.length).toBeGreaterThan(1);
    for (const [index, caption] of captions.entries()) {
      expect(caption.left).toBeGreaterThanOrEqual(frame.left - 0.5);
      expect(caption.right).toBeLessThanOrEqual(frame.right + 0.5);
      expect(caption.top).toBeGreaterThanOrEqual(frame.top - 0.5);
      expect(caption.bottom).toBeLessThanOrEqual(frame.bottom + 0.5);
      for (const other of captions.slice(index + 1)) expect(overlap(caption, other), JSON.stringify([caption, other])).toBe(false);
    }
    // A colour per label: boxes of different labels differ
    const colours = await dialog.locator('.box').evaluateAll((boxes) =>
      Object.fromEntries(boxes.map((box) => [(box as HTMLElement).dataset.label, getComputedStyle(box).borderTopColor])),
    );
    expect(new Set(Object.values(colours)).size).toBe(Object.keys(colours).length);

    // Previous and next walk the library; Escape closes
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('the README screenshot: a browsed library with the detail view beside it', async () => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.locator(`#library .card[data-image-id="${ids.coffee}"] .card-open`).click();
    const dialog = page.locator('dialog#detail[open]');
    await dialog.locator('.detail-picture img').evaluate((img: HTMLImageElement) => img.decode());
    // Previous and next walk the grid's order, and come back
    const order = await page.locator('#library .card[data-image-id]').evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.imageId));
    const index = order.indexOf(ids.coffee);
    const [away, back, neighbour] = index + 1 < order.length ? (['#detail-next', '#detail-previous', order[index + 1]] as const) : (['#detail-previous', '#detail-next', order[index - 1]] as const);
    await page.locator(away).click();
    await poll(() => dialog.getAttribute('data-image-id')).toBe(neighbour);
    await page.locator(back).click();
    await poll(() => dialog.getAttribute('data-image-id')).toBe(ids.coffee);
    await dialog.locator('.detail-picture img').evaluate((img: HTMLImageElement) => img.decode());
    await page.screenshot({ path: path.join(outputDir, 'gallery-library.png') });
    if (process.env.LABELCAST_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: path.join(repoRoot, 'docs/gallery-library.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('links the same bytes dropped again to the image you already have, without a copy', async () => {
    // Act
    await dropFiles(page, '#drop-zone', [{ ...photos.cat, name: `again-${run}.jpg` }]);
    const card = libraryCard(page, `again-${run}.jpg`);
    await untilStatus(card, 'DUPLICATE', browser);

    // Assess
    await expect(card.getAttribute('data-duplicate-of')).resolves.toBe(ids.cat);
    await card.getByRole('link', { name: `Same bytes as ${photos.cat.name}` }).click();
    await poll(() => page.locator('dialog#detail[open]').getAttribute('data-image-id')).toBe(ids.cat);
    await page.keyboard.press('Escape');
  });

  it('refuses a text file named .jpg with the reason, and no broken image', async () => {
    // Act
    await dropFiles(page, '#drop-zone', [{ name: `notes-${run}.jpg`, type: 'image/jpeg', bytes: Buffer.from('shopping list: milk, eggs\n') }]);
    const card = libraryCard(page, `notes-${run}.jpg`);
    await untilStatus(card, 'REJECTED', browser);

    // Assess
    await expect(card.locator('.status').textContent()).resolves.toBe(`Not uploaded: notes-${run}.jpg is not a JPEG, PNG or WebP image (it looks like text).`);
    expect(await card.locator('img').count()).toBe(0);
  });

  it('keeps a flagged tile readable and remembers its reveal in the detail view', async () => {
    // Prepare: the offline model flags none of the fixtures; publish what the labeler would for a flagged photo
    const client = labelcastClient();
    const cat = (await client.image(ids.cat))!;
    await publishAsLabeler(cat, { moderationLabels: [{ name: 'Suggestive', confidence: 91.5, parents: [] }] });
    const card = page.locator(`#library .card[data-image-id="${ids.cat}"]`);
    const reveal = card.locator('.reveal');
    await reveal.waitFor();

    // Assess: its text lines are not printed over each other (line-height at least the font size)
    const metrics = await reveal.evaluate((button) => {
      const style = getComputedStyle(button);
      return { lineHeight: style.lineHeight, fontSize: Number.parseFloat(style.fontSize), height: button.getBoundingClientRect().height };
    });
    expect(metrics.lineHeight).not.toBe('normal');
    expect(Number.parseFloat(metrics.lineHeight)).toBeGreaterThanOrEqual(metrics.fontSize);
    expect(metrics.height).toBeGreaterThanOrEqual(metrics.fontSize);
    await expect(card.locator('.frame').getAttribute('class')).resolves.toContain('blurred');

    // Act: reveal in the grid, then open the detail view
    await reveal.click();
    await card.locator('.card-open').click();
    const dialog = page.locator('dialog#detail[open]');
    await poll(() => dialog.getAttribute('data-image-id')).toBe(ids.cat);

    // Assess: shown, not blurred again; the moderation label is listed
    expect(await dialog.locator('.reveal').count()).toBe(0);
    await expect(dialog.locator('.detail-picture .frame').getAttribute('class')).resolves.not.toContain('blurred');
    await expect(dialog.locator('.labels-table', { hasText: 'Moderation labels' }).innerText()).resolves.toContain('Suggestive');
    await page.keyboard.press('Escape');
  });

  it('does not show "LABELED · 0 labels" as a success', async () => {
    // Prepare: an image the model recognised nothing in (published as the labeler would)
    const astronaut = (await labelcastClient().image(ids.astronaut))!;
    await publishAsLabeler(astronaut, { labels: [] });
    const card = page.locator(`#library .card[data-image-id="${ids.astronaut}"]`);

    // Assess
    await poll(() => card.locator('.status').textContent()).toBe('LABELED · nothing recognised');
    const colours = await card.evaluate((element) => ({
      status: getComputedStyle(element.querySelector('.status')!).color,
      muted: getComputedStyle(document.documentElement).getPropertyValue('--muted'),
    }));
    expect(colours.status).toBe(await page.evaluate((muted) => {
      const probe = document.createElement('span');
      probe.style.color = muted;
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    }, colours.muted.trim()));
  });

  it('deletes from the detail view after a confirmation, for good', async () => {
    // Act
    await page.locator(`#library .card[data-image-id="${ids.astronaut}"] .card-open`).click();
    const dialog = page.locator('dialog#detail[open]');
    await dialog.getByRole('button', { name: 'Delete…' }).click();
    await expect(dialog.locator('#detail-confirm').innerText()).resolves.toContain(`Delete ${photos.astronaut.name} for good?`);
    await dialog.locator('#detail-confirm').getByRole('button', { name: 'Delete' }).click();

    // Assess: the view moved on, the card is gone, and stays gone after a reload
    await poll(async () => ((await dialog.getAttribute('data-image-id')) === ids.astronaut ? await dialog.locator('#detail-confirm').innerText() : 'moved on'))
      .toBe('moved on');
    expect(await page.locator(`#library .card[data-image-id="${ids.astronaut}"]`).count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect(labelcastClient().image(ids.astronaut)).resolves.toBeNull();
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator(`#library .card[data-image-id="${ids.cat}"]`).waitFor();
    expect(await page.locator(`#library .card[data-image-id="${ids.astronaut}"]`).count()).toBe(0);
  });

  it('deletes several selected images at once', async () => {
    // Act
    for (const id of [ids.cat, ids.coffee]) await page.locator(`#library .card[data-image-id="${id}"] .select`).check();
    await expect(page.locator('#selection-count').textContent()).resolves.toBe('2 selected');
    await page.getByRole('button', { name: 'Delete selected…' }).click();
    await page.locator('#selection-confirm').getByRole('button', { name: 'Delete 2' }).click();

    // Assess
    for (const id of [ids.cat, ids.coffee]) {
      await page.locator(`#library .card[data-image-id="${id}"]`).waitFor({ state: 'detached' });
      await expect(labelcastClient().image(id)).resolves.toBeNull();
    }
    expect(browser.errors).toEqual([]);
  });

  it('finds an image by search with its thumbnail and its own labels', async () => {
    // Prepare
    const photo = await uniquePhoto('cat.jpg');
    await dropFiles(page, '#drop-zone', [photo]);
    const card = libraryCard(page, photo.name);
    await untilStatus(card, 'LABELED', browser);
    const id = (await card.getAttribute('data-image-id'))!;
    // Search entries and catalog counts follow the push by a few milliseconds
    await untilSearchable(labelcastClient(), 'Animal', id);

    // Act: type the start of a label, pick up the catalog's suggestion, search Animal
    await page.getByRole('combobox', { name: 'Label' }).fill('Ani');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLOptionElement>('datalist option')).some((option) => option.value === 'Animal' && /\(\d+\)/.test(option.label)),
    );
    await page.getByRole('combobox', { name: 'Label' }).fill('Animal');
    await page.getByRole('button', { name: 'Search' }).click();
    const tile = page.locator(`#results .card[data-image-id="${id}"]`);
    // Search entries are written just after the push
    await tile.waitFor();

    // Assess: the presigned WebP thumbnail, from S3 over HTTPS, and the image's own top label
    const thumbnail = tile.locator('img');
    await expect(thumbnail.getAttribute('src')).resolves.toMatch(/^https:.+thumbnails\/.+\.webp\?.*X-Amz-Signature=/);
    await thumbnail.evaluate((img: HTMLImageElement) => img.decode());
    const size = await thumbnail.evaluate((img: HTMLImageElement) => ({ width: img.naturalWidth, height: img.naturalHeight }));
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(320);
    expect(await tile.locator('.chip', { hasText: /^Cat\b/ }).count()).toBe(1);

    // The detail view opens from the keyboard and closes with Escape
    await tile.locator('.card-open').focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog[open] .labels-table tr[data-label="Cat"]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    expect(browser.errors).toEqual([]);
  });

  it('fits a phone-width screen without horizontal scrolling', async () => {
    // Act
    await page.setViewportSize({ width: 390, height: 844 });
    await openGallery(page, inject('galleryUrl'));

    // Assess
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByLabel('Choose photos…').count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(outputDir, 'gallery-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
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

    // Assess: only this stack's AppSync (HTTPS and WSS) and S3 (HTTPS), no framing, no inline code
    const graphql = new URL(amplifyOutputs().data.url);
    const s3 = new URL(inject('s3Endpoint')).origin;
    expect(s3).toMatch(/^https:/);
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

  it("serves the gallery with the stack's amplify_outputs.json", async () => {
    const outputs = await page.evaluate(async () => (await fetch('./amplify_outputs.json')).json());
    expect(outputs).toMatchObject({ data: { url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/) } });
  });
});
