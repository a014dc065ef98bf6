/**
 * Serves the built web gallery over HTTPS with the local AppSync's
 * certificate, plus `/amplify_outputs.json` of this stack, which the page
 * configures aws-amplify from (a deployed gallery gets the deployed stack's).
 *
 * Every answer carries a strict Content-Security-Policy: the page runs only
 * its own bundle, talks only to this stack's AppSync (HTTPS and WSS) and S3,
 * shows images only from itself, S3 and the previews it makes (blob:), and
 * no other site may frame it.
 */
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { closeServer, decodePathname, guardRequests, guardServer, requestPathname } from '../http-boundary.ts';
import { listen } from '../listen.ts';
import { onResponseOver } from '../response-over.ts';
import { BuiltFiles, tooLarge } from './built-files.ts';

export interface GalleryServerOptions {
  /** The Vite build output. */
  readonly root: string;
  /** Served as /amplify_outputs.json. */
  readonly outputs: unknown;
  readonly tls: { readonly cert: string; readonly key: string };
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** URLs the page calls (AppSync's GraphQL and realtime URLs, S3's endpoint for uploads); only their origins count. */
  readonly connectTo: readonly string[];
  /** URLs the page shows images from (S3's endpoint, for presigned image URLs); only their origins count. */
  readonly imagesFrom: readonly string[];
  /**
   * Bytes of built files kept in memory (each read once); a file past them is streamed from disk per request.
   * @default 32 MiB, over a hundred times the build (about 230 KB)
   */
  readonly maxKeptBytes?: number;
}

export interface GalleryServer {
  readonly url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

const originsOf = (urls: readonly string[]) => [...new Set(urls.map((url) => new URL(url).origin))];

/**
 * The page's policy. `data:` images only for the empty favicon index.html
 * declares; `blob:` for the previews of dropped files; styles only from the
 * bundle's stylesheet (boxes are positioned through CSSOM, which CSP allows).
 */
export function galleryContentSecurityPolicy(options: Pick<GalleryServerOptions, 'connectTo' | 'imagesFrom'>): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data: ${originsOf(options.imagesFrom).join(' ')}`,
    `connect-src 'self' ${originsOf(options.connectTo).join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startGalleryServer(options: GalleryServerOptions): Promise<GalleryServer> {
  const root = path.resolve(options.root);
  const files = new BuiltFiles(options.maxKeptBytes ?? 32 * 1024 * 1024);
  const outputs = JSON.stringify(options.outputs);
  const securityHeaders = {
    'content-security-policy': galleryContentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // For browsers older than frame-ancestors.
    'x-frame-options': 'DENY',
  };
  const sendText = (response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) =>
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers, ...securityHeaders }).end(`${text}\n`);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
    const encoded = requestPathname(request);
    const pathname = encoded === undefined ? undefined : decodePathname(encoded);
    if (pathname === undefined || pathname.includes('\0')) return sendText(response, 400, 'bad request path');
    if (pathname === '/amplify_outputs.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...securityHeaders }).end(outputs);
      return;
    }
    const file = path.resolve(root, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
    if (!file.startsWith(`${root}${path.sep}`)) return sendText(response, 404, 'not found');
    const body = await files.read(file);
    // Missing, a directory, or a name the file system refuses (too long): all a 404 to the client.
    if (body === undefined) return sendText(response, 404, 'not found');
    const hashed = pathname.startsWith('/assets/');
    response.writeHead(200, {
      'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...securityHeaders,
    });
    if (request.method === 'HEAD') return response.end();
    if (body !== tooLarge) return response.end(body);
    // Piped, so the file is read as the client takes it; destroyed once the answer is over, sent or not (an answer
    // queued behind pipelined ones whose client left gets no 'close' that would end the pipe).
    const stream = createReadStream(file);
    onResponseOver(response, () => stream.destroy());
    // Gone between the check and the read (a build renamed into place meanwhile): cut the answer.
    stream.once('error', () => response.destroy());
    stream.pipe(response);
  };

  const server: Server = createServer(
    { cert: options.tls.cert, key: options.tls.key },
    guardRequests(handle, { service: 'gallery', internalError: (_request, response) => sendText(response, 500, 'internal error') }),
  );
  guardServer(server);
  const port = await listen(server, options.port, options.host);
  return {
    url: `https://${options.host}:${port}/`,
    // Every socket ends with it (a browser's idle one would hold the stop for a minute: closeServer).
    close: () => closeServer(server),
  };
}
