/**
 * Serves the built web gallery over HTTPS with the local AppSync's
 * certificate, plus `/amplify_outputs.json` of this stack, which the page
 * configures aws-amplify from (a deployed gallery gets the deployed stack's).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import path from 'node:path';
import { listen } from '../listen.ts';

export interface GalleryServerOptions {
  /** The Vite build output. */
  readonly root: string;
  /** Served as /amplify_outputs.json. */
  readonly outputs: unknown;
  readonly tls: { readonly cert: string; readonly key: string };
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
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

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function startGalleryServer(options: GalleryServerOptions): Promise<GalleryServer> {
  const root = path.resolve(options.root);
  const outputs = JSON.stringify(options.outputs);
  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', ...securityHeaders }).end();
        return;
      }
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'https://gallery').pathname);
      if (pathname === '/amplify_outputs.json') {
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...securityHeaders }).end(outputs);
        return;
      }
      const file = path.resolve(root, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
      if (!file.startsWith(`${root}${path.sep}`)) {
        response.writeHead(404, securityHeaders).end();
        return;
      }
      try {
        const body = await readFile(file);
        const hashed = pathname.startsWith('/assets/');
        response
          .writeHead(200, {
            'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
            'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
            ...securityHeaders,
          })
          .end(request.method === 'HEAD' ? undefined : body);
      } catch {
        response.writeHead(404, { 'content-type': 'text/plain', ...securityHeaders }).end('not found\n');
      }
    })();
  });
  const port = await listen(server, options.port, options.host);
  return {
    url: `https://${options.host}:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
