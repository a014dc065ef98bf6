/**
 * PUTs a file to its presigned URL with XMLHttpRequest, the one browser API
 * that reports upload progress. Sends exactly the ticket's headers.
 */
import { UploadNetworkError, UploadRefusedError } from '../../lib/errors.ts';
import type { UploadTicket } from './types.ts';

export function putWithProgress(ticket: UploadTicket, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', ticket.uploadUrl);
    for (const { name, value } of ticket.uploadHeaders) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve();
      } else {
        const code = /<Code>([^<]+)<\/Code>/.exec(request.responseText)?.[1];
        reject(new UploadRefusedError(request.status, code));
      }
    });
    request.addEventListener('error', () => reject(new UploadNetworkError()));
    request.send(file);
  });
}
