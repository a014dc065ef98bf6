/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment ImageFields on Image {\n  id\n  status\n  contentType\n  sizeBytes\n  fileName\n  createdAt\n  labeledAt\n  error\n  owner\n  labels {\n    name\n    confidence\n    parents\n    aliases\n    categories\n    instances {\n      confidence\n      boundingBox {\n        left\n        top\n        width\n        height\n      }\n    }\n  }\n  moderationLabels {\n    name\n    confidence\n    parents\n  }\n}\n\nmutation RequestUpload($input: RequestUploadInput!) {\n  requestUpload(input: $input) {\n    imageId\n    uploadUrl\n    uploadHeaders {\n      name\n      value\n    }\n    expiresAt\n  }\n}\n\nsubscription OnImageLabeled($imageId: ID) {\n  onImageLabeled(imageId: $imageId) {\n    ...ImageFields\n  }\n}\n\nquery Image($id: ID!) {\n  image(id: $id) {\n    ...ImageFields\n  }\n}\n\nquery ImagesByLabel($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {\n  imagesByLabel(\n    label: $label\n    minConfidence: $minConfidence\n    limit: $limit\n    nextToken: $nextToken\n  ) {\n    items {\n      ...ImageFields\n    }\n    nextToken\n  }\n}\n\nquery ImagesByLabelWithUrls($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {\n  imagesByLabel(\n    label: $label\n    minConfidence: $minConfidence\n    limit: $limit\n    nextToken: $nextToken\n  ) {\n    items {\n      ...ImageFields\n      url\n      thumbnailUrl\n    }\n    nextToken\n  }\n}\n\nquery Labels($prefix: String, $limit: Int, $nextToken: String) {\n  labels(prefix: $prefix, limit: $limit, nextToken: $nextToken) {\n    items {\n      name\n      imageCount\n    }\n    nextToken\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id) {\n    ...ImageFields\n  }\n}": typeof types.ImageFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment ImageFields on Image {\n  id\n  status\n  contentType\n  sizeBytes\n  fileName\n  createdAt\n  labeledAt\n  error\n  owner\n  labels {\n    name\n    confidence\n    parents\n    aliases\n    categories\n    instances {\n      confidence\n      boundingBox {\n        left\n        top\n        width\n        height\n      }\n    }\n  }\n  moderationLabels {\n    name\n    confidence\n    parents\n  }\n}\n\nmutation RequestUpload($input: RequestUploadInput!) {\n  requestUpload(input: $input) {\n    imageId\n    uploadUrl\n    uploadHeaders {\n      name\n      value\n    }\n    expiresAt\n  }\n}\n\nsubscription OnImageLabeled($imageId: ID) {\n  onImageLabeled(imageId: $imageId) {\n    ...ImageFields\n  }\n}\n\nquery Image($id: ID!) {\n  image(id: $id) {\n    ...ImageFields\n  }\n}\n\nquery ImagesByLabel($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {\n  imagesByLabel(\n    label: $label\n    minConfidence: $minConfidence\n    limit: $limit\n    nextToken: $nextToken\n  ) {\n    items {\n      ...ImageFields\n    }\n    nextToken\n  }\n}\n\nquery ImagesByLabelWithUrls($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {\n  imagesByLabel(\n    label: $label\n    minConfidence: $minConfidence\n    limit: $limit\n    nextToken: $nextToken\n  ) {\n    items {\n      ...ImageFields\n      url\n      thumbnailUrl\n    }\n    nextToken\n  }\n}\n\nquery Labels($prefix: String, $limit: Int, $nextToken: String) {\n  labels(prefix: $prefix, limit: $limit, nextToken: $nextToken) {\n    items {\n      name\n      imageCount\n    }\n    nextToken\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id) {\n    ...ImageFields\n  }\n}": types.ImageFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ImageFields on Image {\n  id\n  status\n  contentType\n  sizeBytes\n  fileName\n  createdAt\n  labeledAt\n  error\n  owner\n  labels {\n    name\n    confidence\n    parents\n    aliases\n    categories\n    instances {\n      confidence\n      boundingBox {\n        left\n        top\n        width\n        height\n      }\n    }\n  }\n  moderationLabels {\n    name\n    confidence\n    parents\n  }\n}\n\nmutation RequestUpload($input: RequestUploadInput!) {\n  requestUpload(input: $input) {\n    imageId\n    uploadUrl\n    uploadHeaders {\n      name\n      value\n    }\n    expiresAt\n  }\n}\n\nsubscription OnImageLabeled($imageId: ID) {\n  onImageLabeled(imageId: $imageId) {\n    ...ImageFields\n  }\n}\n\nquery Image($id: ID!) {\n  image(id: $id) {\n    ...ImageFields\n  }\n}\n\nquery ImagesByLabel($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {\n  imagesByLabel(\n    label: $label\n    minConfidence: $minConfidence\n    limit: $limit\n    nextToken: $nextToken\n  ) {\n    items {\n      ...ImageFields\n    }\n    nextToken\n  }\n}\n\nquery ImagesByLabelWithUrls($label: String!, $minConfidence: Float, $limit: Int, $nextToken: String) {\n  imagesByLabel(\n    label: $label\n    minConfidence: $minConfidence\n    limit: $limit\n    nextToken: $nextToken\n  ) {\n    items {\n      ...ImageFields\n      url\n      thumbnailUrl\n    }\n    nextToken\n  }\n}\n\nquery Labels($prefix: String, $limit: Int, $nextToken: String) {\n  labels(prefix: $prefix, limit: $limit, nextToken: $nextToken) {\n    items {\n      name\n      imageCount\n    }\n    nextToken\n  }\n}\n\nmutation DeleteImage($id: ID!) {\n  deleteImage(id: $id) {\n    ...ImageFields\n  }\n}"): typeof import('./graphql.ts').ImageFieldsFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
