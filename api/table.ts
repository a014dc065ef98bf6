import { UploadLimits } from './limits.ts';

/**
 * Layout of the single DynamoDB table, shared by the resolvers, the labeler,
 * the CDK stack and the local stack.
 *
 * Items:
 * - image:        pk = IMAGE#<id>, sk = IMAGE; the Image fields plus objectKey.
 * - label entry:  pk = IMAGE#<id>, sk = LABEL#<name>; labelKey = LABEL#<name>,
 *                 labelSort = <createdAt>#<id>, confidence, and a copy of the
 *                 labelled image so imagesByLabel is one Query on byLabel.
 *
 * Label names are stored lower-cased so search is case-insensitive.
 */
export const ImagesTableLayout = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byLabelIndex: {
    indexName: 'byLabel',
    partitionKey: 'labelKey',
    sortKey: 'labelSort',
  },
} as const;

export const normalizeLabel = (name: string): string => name.trim().toLowerCase();

export const imageKey = (imageId: string) => ({ pk: `IMAGE#${imageId}`, sk: 'IMAGE' });

export const labelEntryKey = (imageId: string, labelName: string) => ({
  pk: `IMAGE#${imageId}`,
  sk: `LABEL#${normalizeLabel(labelName)}`,
});

export const labelIndexKey = (labelName: string) => `LABEL#${normalizeLabel(labelName)}`;

export const labelIndexSort = (createdAt: string, imageId: string) => `${createdAt}#${imageId}`;

/** S3 key an image's bytes are uploaded to. */
export const objectKeyFor = (imageId: string) => `${UploadLimits.keyPrefix}${imageId}`;
