/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where a client stands with one uploaded image. PENDING: upload URL issued; labels not ready yet. LABELED: labels and moderation labels are stored. FAILED: labelling failed for good; `error` says why. */
export type ImageStatus =
  | 'FAILED'
  | 'LABELED'
  | 'PENDING';

export type RequestUploadInput = {
  /**
   * Optional https URL that receives the Image as JSON once it is LABELED or FAILED, signed with
   * `X-Labelcast-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` and retried up to 3 times.
   * Private, loopback and link-local addresses are refused.
   */
  callbackUrl?: string | null | undefined;
  /** image/jpeg, image/png or image/webp. */
  contentType: string;
  fileName?: string | null | undefined;
  /** Exact size of the upload in bytes, 1 to 15 MiB. */
  sizeBytes: number;
};

export type ImageFieldsFragment = { id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null };

export type RequestUploadMutationVariables = Exact<{
  input: RequestUploadInput;
}>;


export type RequestUploadMutation = { requestUpload: { imageId: string, uploadUrl: string, expiresAt: string, uploadHeaders: Array<{ name: string, value: string }> } };

export type OnImageLabeledSubscriptionVariables = Exact<{
  imageId?: string | number | null | undefined;
}>;


export type OnImageLabeledSubscription = { onImageLabeled: { id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null } | null };

export type ImageQueryVariables = Exact<{
  id: string | number;
}>;


export type ImageQuery = { image: { id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null } | null };

export type ImageWithUrlsQueryVariables = Exact<{
  id: string | number;
}>;


export type ImageWithUrlsQuery = { image: { url: string | null, thumbnailUrl: string | null, id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null } | null };

export type ImagesByLabelQueryVariables = Exact<{
  label: string;
  minConfidence?: number | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type ImagesByLabelQuery = { imagesByLabel: { nextToken: string | null, items: Array<{ id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null }> } };

export type ImagesByLabelWithUrlsQueryVariables = Exact<{
  label: string;
  minConfidence?: number | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type ImagesByLabelWithUrlsQuery = { imagesByLabel: { nextToken: string | null, items: Array<{ url: string | null, thumbnailUrl: string | null, id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null }> } };

export type ImagesQueryVariables = Exact<{
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type ImagesQuery = { images: { nextToken: string | null, items: Array<{ id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null }> } };

export type ImagesWithUrlsQueryVariables = Exact<{
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type ImagesWithUrlsQuery = { images: { nextToken: string | null, items: Array<{ url: string | null, thumbnailUrl: string | null, id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null }> } };

export type LabelsQueryVariables = Exact<{
  prefix?: string | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type LabelsQuery = { labels: { nextToken: string | null, items: Array<{ name: string, imageCount: number }> } };

export type DeleteImageMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteImageMutation = { deleteImage: { id: string, status: ImageStatus, contentType: string, sizeBytes: number, fileName: string | null, createdAt: string, labeledAt: string | null, error: string | null, owner: string | null, labels: Array<{ name: string, confidence: number, parents: Array<string>, aliases: Array<string>, categories: Array<string>, instances: Array<{ confidence: number, boundingBox: { left: number, top: number, width: number, height: number } }> }>, moderationLabels: Array<{ name: string, confidence: number, parents: Array<string> }>, properties: { quality: { brightness: number, sharpness: number, contrast: number }, dominantColors: Array<{ red: number, green: number, blue: number, hexCode: string, cssColor: string, simplifiedColor: string, pixelPercent: number }> } | null } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ImageFieldsFragmentDoc = new TypedDocumentString(`
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}
    `, {"fragmentName":"ImageFields"}) as unknown as TypedDocumentString<ImageFieldsFragment, unknown>;
export const RequestUploadDocument = new TypedDocumentString(`
    mutation RequestUpload($input: RequestUploadInput!) {
  requestUpload(input: $input) {
    imageId
    uploadUrl
    uploadHeaders {
      name
      value
    }
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<RequestUploadMutation, RequestUploadMutationVariables>;
export const OnImageLabeledDocument = new TypedDocumentString(`
    subscription OnImageLabeled($imageId: ID) {
  onImageLabeled(imageId: $imageId) {
    ...ImageFields
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<OnImageLabeledSubscription, OnImageLabeledSubscriptionVariables>;
export const ImageDocument = new TypedDocumentString(`
    query Image($id: ID!) {
  image(id: $id) {
    ...ImageFields
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<ImageQuery, ImageQueryVariables>;
export const ImageWithUrlsDocument = new TypedDocumentString(`
    query ImageWithUrls($id: ID!) {
  image(id: $id) {
    ...ImageFields
    url
    thumbnailUrl
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<ImageWithUrlsQuery, ImageWithUrlsQueryVariables>;
export const ImagesByLabelDocument = new TypedDocumentString(`
    query ImagesByLabel($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {
  imagesByLabel(
    label: $label
    minConfidence: $minConfidence
    limit: $limit
    nextToken: $nextToken
  ) {
    items {
      ...ImageFields
    }
    nextToken
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<ImagesByLabelQuery, ImagesByLabelQueryVariables>;
export const ImagesByLabelWithUrlsDocument = new TypedDocumentString(`
    query ImagesByLabelWithUrls($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {
  imagesByLabel(
    label: $label
    minConfidence: $minConfidence
    limit: $limit
    nextToken: $nextToken
  ) {
    items {
      ...ImageFields
      url
      thumbnailUrl
    }
    nextToken
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<ImagesByLabelWithUrlsQuery, ImagesByLabelWithUrlsQueryVariables>;
export const ImagesDocument = new TypedDocumentString(`
    query Images($limit: Int, $nextToken: String) {
  images(limit: $limit, nextToken: $nextToken) {
    items {
      ...ImageFields
    }
    nextToken
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<ImagesQuery, ImagesQueryVariables>;
export const ImagesWithUrlsDocument = new TypedDocumentString(`
    query ImagesWithUrls($limit: Int, $nextToken: String) {
  images(limit: $limit, nextToken: $nextToken) {
    items {
      ...ImageFields
      url
      thumbnailUrl
    }
    nextToken
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<ImagesWithUrlsQuery, ImagesWithUrlsQueryVariables>;
export const LabelsDocument = new TypedDocumentString(`
    query Labels($prefix: String, $limit: Int, $nextToken: String) {
  labels(prefix: $prefix, limit: $limit, nextToken: $nextToken) {
    items {
      name
      imageCount
    }
    nextToken
  }
}
    `) as unknown as TypedDocumentString<LabelsQuery, LabelsQueryVariables>;
export const DeleteImageDocument = new TypedDocumentString(`
    mutation DeleteImage($id: ID!) {
  deleteImage(id: $id) {
    ...ImageFields
  }
}
    fragment ImageFields on Image {
  id
  status
  contentType
  sizeBytes
  fileName
  createdAt
  labeledAt
  error
  owner
  labels {
    name
    confidence
    parents
    aliases
    categories
    instances {
      confidence
      boundingBox {
        left
        top
        width
        height
      }
    }
  }
  moderationLabels {
    name
    confidence
    parents
  }
  properties {
    quality {
      brightness
      sharpness
      contrast
    }
    dominantColors {
      red
      green
      blue
      hexCode
      cssColor
      simplifiedColor
      pixelPercent
    }
  }
}`) as unknown as TypedDocumentString<DeleteImageMutation, DeleteImageMutationVariables>;