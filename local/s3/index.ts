export { startLocalS3, type LocalS3, type LocalS3Options } from './server.ts';
export { decodeEventKey, encodeEventKey } from './events.ts';
