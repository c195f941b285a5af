/**
 * Builds the built-in page with esbuild (already installed with tsx): `main.ts` with ECharts and the spec bundled
 * into one script and one stylesheet, named by their content hash, held in memory. No CDN, nothing fetched at run
 * time: the machines are offline. Deterministic: the same sources give the same bytes and names.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageAsset {
  /** /assets/app.<hash>.js */
  path: string;
  contentType: string;
  body: Buffer;
}

export interface PageBundle {
  html: string;
  assets: Map<string, PageAsset>;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function buildPage(): Promise<PageBundle> {
  const result = await build({
    entryPoints: { app: here('./main.ts') },
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'silent',
    // The spec imports the catalogue; nothing from Node reaches the browser.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = new Map<string, PageAsset>();
  const names: Record<string, string> = {};
  for (const f of result.outputFiles) {
    const ext = f.path.endsWith('.css') ? 'css' : 'js';
    const hash = createHash('sha256').update(f.contents).digest('hex').slice(0, 12);
    const path = `/assets/app.${hash}.${ext}`;
    names[ext] = path;
    assets.set(path, {
      path,
      contentType: ext === 'css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      body: Buffer.from(f.contents),
    });
  }
  if (!names.js || !names.css) throw new Error('the page bundle has no script or no stylesheet');
  const html = readFileSync(here('./index.html'), 'utf8').replace('%APP_JS%', names.js).replace('%APP_CSS%', names.css);
  return { html, assets };
}
