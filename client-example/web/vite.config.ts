/**
 * Vite build of the web gallery. `npm start` runs it (local/gallery/build.ts)
 * and serves dist/ with the local stack's amplify_outputs.json; for a deployed
 * stack, `npm run gallery:build` and host dist/ with that stack's outputs file.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative asset paths: dist/ works from any host path (S3, CloudFront, a sub-folder).
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
