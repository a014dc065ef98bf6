/**
 * A POST that declares and streams a body far past a server's limit, 1 MiB at a time with backpressure, as a
 * client that ignores an early answer would: for the listeners that must answer it (or cut the connection)
 * and keep serving.
 */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

/** The answer's status, or the error code when the connection was cut first. */
export function postOversizedBody(url: URL, headers: OutgoingHttpHeaders = {}, mebibytes = 20): Promise<number | string> {
  return new Promise((resolve) => {
    const upload = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { ...headers, 'content-length': String(mebibytes * 1024 * 1024) },
    });
    upload.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    upload.on('response', (answer) => resolve(answer.statusCode ?? 0));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < mebibytes) {
        sent += 1;
        if (!upload.write(chunk)) return void upload.once('drain', pump);
      }
      upload.end();
    };
    pump();
  });
}
