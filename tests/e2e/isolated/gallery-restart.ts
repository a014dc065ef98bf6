/**
 * The restart race, in the browser, on the isolated stack (tests/e2e/isolated/stack.ts: fixed ports, so
 * the open page reconnects to the same URLs): the stack stops while the
 * gallery is open and starts again on the same state; a photo dropped before
 * the live connection is back is labelled and pushed while nobody listens.
 * The gallery must still end that card LABELED: after the subscription is
 * acknowledged again it re-reads every PENDING card. A photo dropped while
 * the stack is down says the API cannot be reached, and its Retry works once
 * the stack is back.
 *
 * To make the race certain rather than likely, the test holds the page's new
 * WebSockets connecting (playwright's routeWebSocket: a socket opens only
 * when its handler connects it to the server) until the server has labelled
 * the images. Held connecting rather than closed: Amplify
 * (@aws-amplify/api-graphql's AWSWebSocketProvider) waits for a socket's
 * open or close without a timeout, so its attempt completes as soon as the
 * test lets the socket through. A closed socket would make it spend its
 * ~6 s of quick retries and then wait for the ReconnectionMonitor's next
 * round, a minute later (RECONNECT_INTERVAL), which a stack restart and a
 * labelling outlast.
 *
 * The last of the isolated stack's parts, so that none runs across its restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelcastClient } from '../../../client-example/lib/labelcast-client.ts';
import { dropFiles, fixtureFile, hasChromium, launchGalleryBrowser, libraryCard, openGallery, untilStatus, type GalleryBrowser } from '../../support/gallery-browser.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { waitFor } from '../../support/wait-for.ts';
import { isolatedBasePort, isolatedStack, restartIsolatedStack, stopIsolatedStack } from './stack.ts';

describe.skipIf(!hasChromium)('Gallery: the restart race', () => {
  let browser: GalleryBrowser;

  beforeAll(async () => {
    browser = await launchGalleryBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('ends a card LABELED whose event was pushed while the stack restarted', { timeout: 300_000 }, async () => {
    // Prepare: the gallery is open and live; the page's WebSockets pass through until told otherwise
    const { page } = browser;
    /** While set, a new realtime socket of the page stays connecting until it settles, as if the server had not answered yet. */
    let held: Promise<void> | undefined;
    let releaseSockets: () => void = () => undefined;
    await page.routeWebSocket(/\/graphql\/realtime/, async (socket) => {
      await held;
      socket.connectToServer();
    });
    await openGallery(page, isolatedStack().galleryUrl);
    await expect(page.locator('#connection').textContent()).resolves.toBe('Live');
    await page.waitForSelector('body[data-caught-up]');
    const caughtUp = Number(await page.locator('body').getAttribute('data-caught-up'));

    // Act: stop the stack; the page says it is disconnected
    held = new Promise((resolve) => (releaseSockets = resolve));
    // The warning lasts only until Amplify's next attempt (5 s later), which then stays connecting: the page records
    // every tone the connection shows from before the stop (a MutationObserver, which a busy or throttled renderer
    // still runs), rather than the test polling for a state it can miss on a loaded machine.
    await page.evaluate(() => {
      const connection = document.querySelector('#connection')!;
      const seen: (string | null)[] = [];
      Object.assign(window, { connectionTonesSeen: seen });
      new MutationObserver(() => seen.push(connection.getAttribute('data-tone'))).observe(connection, { attributes: true, attributeFilter: ['data-tone'] });
    });
    await stopIsolatedStack();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { connectionTonesSeen: (string | null)[] }).connectionTonesSeen), { timeout: 60_000 })
      .toContain('warning');
    // A photo dropped while the stack is down says why it was not uploaded, and offers a retry
    const photo = await fixtureFile('cat.jpg');
    const downName = `while-down-${Date.now()}.jpg`;
    await dropFiles(page, '#drop-zone', [{ ...photo, name: downName, bytes: jpegVariant(photo.bytes) }]);
    const downCard = libraryCard(page, downName);
    await untilStatus(downCard, 'REJECTED', browser);
    await expect(downCard.locator('.status').textContent()).resolves.toBe(
      `Not uploaded: Cannot reach the API at https://127.0.0.1:${isolatedBasePort()}: is \`npm start\` running?`,
    );
    // Start it again on the same state and ports, and drop a photo before the live connection is back
    await restartIsolatedStack();
    const name = `restart-${Date.now()}.jpg`;
    await dropFiles(page, '#drop-zone', [{ ...photo, name, bytes: jpegVariant(photo.bytes) }]);
    await downCard.getByRole('button', { name: 'Retry' }).click();
    const card = libraryCard(page, name);
    await untilStatus(card, 'PENDING', browser);
    await untilStatus(downCard, 'PENDING', browser);
    const id = (await card.getAttribute('data-image-id'))!;
    const downId = (await downCard.getAttribute('data-image-id'))!;
    // The server labels them and pushes the events to nobody
    const client = new LabelcastClient();
    await waitFor(async () => (await client.image(id))?.status === 'LABELED' && (await client.image(downId))?.status === 'LABELED');
    expect(await card.getAttribute('data-status')).toBe('PENDING');
    // Now let Amplify's waiting attempt (or its next one) through
    held = undefined;
    releaseSockets();

    // Assess: the card catches up once the subscription is acknowledged again
    await expect.poll(() => page.locator('body').getAttribute('data-caught-up').then(Number), { timeout: 60_000 }).toBeGreaterThan(caughtUp);
    await untilStatus(card, 'LABELED', browser, 30_000);
    await untilStatus(downCard, 'LABELED', browser, 30_000);
    expect(await card.locator('.chip', { hasText: /^Cat\b/ }).count()).toBe(1);
    await expect(page.locator('#connection').textContent()).resolves.toBe('Live');
  });
});
