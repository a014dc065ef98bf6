/**
 * What an app does with labelcast, on aws-amplify v6: request a ticket,
 * subscribe to the image's event, PUT the bytes, wait for the labels; and
 * search by label.
 */
import { Hub } from 'aws-amplify/utils';
import {
  DeleteImageDocument,
  ImageDocument,
  ImagesByLabelDocument,
  ImagesDocument,
  LabelsDocument,
  OnImageLabeledDocument,
  RequestUploadDocument,
  type Image,
  type ImagePage,
  type LabelPage,
  type UploadTicket,
} from '../graphql/index.ts';
import { sniffContentType } from './content-type.ts';
import { SubscriptionTimeoutError, UnexpectedAnswerError, UnsupportedImageError, UploadRefusedError } from './errors.ts';
import { GraphqlClient, type GraphqlClientOptions, type Subscription } from './graphql-client.ts';

export type { Image, ImagePage, LabelCount, LabelPage, UploadTicket } from '../graphql/index.ts';

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(JSON.stringify(error)));

/** Amplify reports a started subscription on the 'api' Hub channel; `undefined` waits for the one without imageId. */
function subscriptionAcknowledged(imageId: string | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new SubscriptionTimeoutError(`subscription for ${imageId ?? 'every image'} was not acknowledged within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { variables?: { imageId?: string } } | undefined;
      if (payload.event === 'Subscription ack' && data?.variables?.imageId === imageId) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

export type LabelcastClientOptions = GraphqlClientOptions;

export class LabelcastClient {
  private readonly client: GraphqlClient;

  /** With `authMode: 'userPool'` the signed-in user sees only its own images. */
  public constructor(options: LabelcastClientOptions = {}) {
    this.client = new GraphqlClient(options);
  }

  /**
   * onImageLabeled events of one image, or of every image when `imageId` is
   * undefined. The field is nullable in the schema, but every push carries an
   * image: an event without one is reported as an error, not dropped.
   */
  private onImageLabeled(imageId: string | undefined, observer: { next(image: Image): void; error(error: Error): void }): Subscription {
    return this.client.subscribe(OnImageLabeledDocument, imageId === undefined ? {} : { imageId }, {
      next: ({ onImageLabeled: image }) => (image ? observer.next(image) : observer.error(new UnexpectedAnswerError('onImageLabeled pushed an event without an image'))),
      error: (error) => observer.error(asError(error)),
    });
  }

  /** `callbackUrl`: an https URL that receives the signed Image JSON once it is LABELED or FAILED. */
  public async requestUpload(input: { contentType: string; sizeBytes: number; fileName?: string; callbackUrl?: string }): Promise<UploadTicket> {
    return (await this.client.request(RequestUploadDocument, { input })).requestUpload;
  }

  /** PUTs the bytes to the ticket's presigned URL with exactly the ticket's headers. */
  public async upload(ticket: UploadTicket, bytes: Uint8Array): Promise<void> {
    const headers = Object.fromEntries(ticket.uploadHeaders.map(({ name, value }) => [name, value]));
    const response = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: new Uint8Array(bytes) });
    if (!response.ok) throw new UploadRefusedError(response.status, await response.text());
  }

  /**
   * Resolves with the image's first onImageLabeled event. `ready` resolves
   * once AppSync acknowledged the subscription, so nothing is missed.
   */
  public watchImage(imageId: string, timeoutMs = 60_000): { ready: Promise<void>; labeled: Promise<Image> } {
    const ready = subscriptionAcknowledged(imageId, 15_000);
    const labeled = new Promise<Image>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new SubscriptionTimeoutError(`no onImageLabeled event for ${imageId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const subscription = this.onImageLabeled(imageId, {
        next: (image) => {
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve(image);
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    return { ready, labeled };
  }

  /**
   * Keeps every onImageLabeled event of an image until `stop()`, for checking
   * that an image is pushed exactly once. `first` resolves with the first event.
   */
  public recordEvents(imageId: string): { ready: Promise<void>; first: Promise<Image>; events: Image[]; stop(): void } {
    const ready = subscriptionAcknowledged(imageId, 15_000);
    const events: Image[] = [];
    let resolveFirst: (image: Image) => void = () => undefined;
    let rejectFirst: (error: Error) => void = () => undefined;
    const first = new Promise<Image>((resolve, reject) => {
      resolveFirst = resolve;
      rejectFirst = reject;
    });
    const subscription = this.onImageLabeled(imageId, {
      next: (image) => {
        events.push(image);
        resolveFirst(image);
      },
      error: rejectFirst,
    });
    return { ready, first, events, stop: () => subscription.unsubscribe() };
  }

  /**
   * Every onImageLabeled event, until `stop()`. `ready` resolves once AppSync
   * acknowledged the subscription.
   */
  public watchAll(onImage: (image: Image) => void, onError: (error: Error) => void): { ready: Promise<void>; stop(): void } {
    const ready = subscriptionAcknowledged(undefined, 15_000);
    const subscription = this.onImageLabeled(undefined, { next: onImage, error: onError });
    return { ready, stop: () => subscription.unsubscribe() };
  }

  /** The whole flow for one file: ticket, subscription, upload, labels. */
  public async uploadAndWait(bytes: Uint8Array, fileName?: string, onUploaded?: (ticket: UploadTicket) => void): Promise<Image> {
    const contentType = sniffContentType(bytes);
    if (!contentType) throw new UnsupportedImageError(fileName ?? 'file');
    const ticket = await this.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName });
    const { ready, labeled } = this.watchImage(ticket.imageId);
    await ready;
    await this.upload(ticket, bytes);
    onUploaded?.(ticket);
    return labeled;
  }

  public async image(id: string): Promise<Image | null> {
    return (await this.client.request(ImageDocument, { id })).image;
  }

  public async imagesByLabel(args: { label: string; minConfidence?: number; limit?: number; nextToken?: string }): Promise<ImagePage> {
    return (await this.client.request(ImagesByLabelDocument, args)).imagesByLabel;
  }

  /** The caller's images, whatever their status, newest first; one page. */
  public async images(args: { limit?: number; nextToken?: string } = {}): Promise<ImagePage> {
    return (await this.client.request(ImagesDocument, args)).images;
  }

  /** The label catalog, alphabetically, for autocomplete. */
  public async labels(args: { prefix?: string; limit?: number; nextToken?: string } = {}): Promise<LabelPage> {
    return (await this.client.request(LabelsDocument, args)).labels;
  }

  /** Deletes the image and everything derived from it; returns what was deleted. */
  public async deleteImage(id: string): Promise<Image> {
    const { deleteImage } = await this.client.request(DeleteImageDocument, { id });
    // AppSync answers an unknown id with errorType NotFound, which rejects above.
    if (!deleteImage) throw new UnexpectedAnswerError(`deleteImage(${id}) returned no image`);
    return deleteImage;
  }
}
