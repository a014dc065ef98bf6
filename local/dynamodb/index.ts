export { startLocalDynamoDb, type LocalDynamoDb, type LocalDynamoDbOptions } from './server.ts';
export { ensureImagesTable, imagesTableDefinition, type EnsureImagesTableArgs, type EnsuredImagesTable } from './images-table.ts';
export { inProcessTransport, type DynamoDbHttpRequest, type DynamoDbHttpResponse, type DynamoDbTransport } from './in-process.ts';
