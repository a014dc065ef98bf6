/**
 * The typed documents generated from operations.graphql, and names for the
 * result shapes the clients pass around. Generated code lives in ./generated/
 * (`npm run codegen`); nothing here is written by hand but the names.
 */
import type {
  ImageFieldsFragment,
  ImagesByLabelQuery,
  ImagesByLabelWithUrlsQuery,
  LabelsQuery,
  RequestUploadMutation,
} from './generated/graphql.ts';

export {
  DeleteImageDocument,
  ImageDocument,
  ImagesByLabelDocument,
  ImagesByLabelWithUrlsDocument,
  ImagesDocument,
  LabelsDocument,
  OnImageLabeledDocument,
  RequestUploadDocument,
  type TypedDocumentString,
} from './generated/graphql.ts';

/** An image as both clients select it (the ImageFields fragment). */
export type Image = ImageFieldsFragment;
/** An image with its short-lived read URLs, as the gallery selects it. */
export type ImageWithUrls = ImagesByLabelWithUrlsQuery['imagesByLabel']['items'][number];
/** Where and how to upload one image's bytes. */
export type UploadTicket = RequestUploadMutation['requestUpload'];
export type ImagePage = ImagesByLabelQuery['imagesByLabel'];
export type LabelPage = LabelsQuery['labels'];
/** A label of the catalog and how many images carry it. */
export type LabelCount = LabelPage['items'][number];
