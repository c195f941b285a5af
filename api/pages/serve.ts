/**
 * Serving a built page: its HTML at one path and its assets under their prefix, with the security headers the page
 * needs. The bundle is built on the first request (esbuild, a second or a few) and kept for the life of the process;
 * a build failure is logged and answered 500 with a short text, never the build's message.
 */
import type { Request, Response, Router } from 'express';
import type { PageBundle } from './bundle.ts';

export interface ServedPage {
  /** What the page is called in the log and in the 500 answer: `dashboard page`, `workbench`. */
  name: string;
  bundle: () => Promise<PageBundle>;
  /** Where its HTML is served. */
  path: string;
  assetPrefix: string;
  headers: Record<string, string>;
  /** Serve the HTML to this request, or pass it on (`next`); default: every GET of the path. */
  wants?: (req: Request) => boolean;
  /** Extra headers of the HTML answer (`Vary`). */
  htmlHeaders?: Record<string, string>;
  log: (line: string) => void;
}

export function servePage(router: Router, p: ServedPage): void {
  const unavailable = (res: Response) =>
    res.status(500).type('text').send(`the ${p.name} could not be built; see the server log`);

  router.get(p.path, async (req, res, next) => {
    if (p.wants && !p.wants(req)) return next();
    try {
      const b = await p.bundle();
      res
        .set({ 'Cache-Control': 'no-cache', ...p.htmlHeaders, ...p.headers })
        .type('html')
        .send(b.html);
    } catch (e) {
      p.log(`${p.name}: the bundle could not be built: ${(e as Error).message}`);
      unavailable(res);
    }
  });

  router.get(`${p.assetPrefix}:name`, async (req, res, next) => {
    let b: PageBundle;
    try {
      b = await p.bundle();
    } catch {
      return void unavailable(res);
    }
    const asset = b.assets.get(`${p.assetPrefix}${req.params.name}`);
    if (!asset) return next();
    res
      .set({ 'Cache-Control': 'public, max-age=31536000, immutable', ...p.headers })
      .type(asset.contentType)
      .send(asset.body);
  });
}
