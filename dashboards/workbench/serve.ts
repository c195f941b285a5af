/**
 * Serves the workbench: `GET /graphql` to a browser (a GET that prefers HTML to JSON, the test Apollo used for its
 * landing page) and `GET /workbench/assets/…`. Everything else at /graphql goes on to the API. The page holds no
 * key; it is built on the first request (esbuild, a few seconds) and kept for the life of the process.
 */
import type { Request } from 'express';
import { Router } from 'express';
import { ASSET_PREFIX, buildWorkbench, type WorkbenchBundle } from './bundle.ts';

const SECURITY_HEADERS = {
  // GraphiQL sets inline styles and embeds its fonts as data: URLs; downloads are blob: URLs the page makes itself.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src " +
    "'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

let bundle: Promise<WorkbenchBundle> | null = null;

/** The workbench bundle, built once per process. */
export function workbenchBundle(): Promise<WorkbenchBundle> {
  bundle ??= buildWorkbench();
  bundle.catch(() => (bundle = null));
  return bundle;
}

function wantsPage(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

export function workbench(o: { log?: (line: string) => void } = {}): Router {
  const log = o.log ?? ((line: string) => console.error(line));
  const router = Router();
  const unavailable = 'the workbench could not be built; see the server log';

  router.get('/graphql', async (req, res, next) => {
    if (!wantsPage(req)) return next();
    try {
      const b = await workbenchBundle();
      res
        .set({ 'Cache-Control': 'no-cache', Vary: 'Accept', ...SECURITY_HEADERS })
        .type('html')
        .send(b.html);
    } catch (e) {
      log(`workbench: the bundle could not be built: ${(e as Error).message}`);
      res.status(500).type('text').send(unavailable);
    }
  });

  router.get(`${ASSET_PREFIX}:name`, async (req, res, next) => {
    let b: WorkbenchBundle;
    try {
      b = await workbenchBundle();
    } catch {
      return void res.status(500).type('text').send(unavailable);
    }
    const asset = b.assets.get(`${ASSET_PREFIX}${req.params.name}`);
    if (!asset) return next();
    res
      .set({ 'Cache-Control': 'public, max-age=31536000, immutable', ...SECURITY_HEADERS })
      .type(asset.contentType)
      .send(asset.body);
  });

  return router;
}
