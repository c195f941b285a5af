/**
 * Builds a browser page of dashboards/ (the dashboard page, the workbench) with esbuild: its entry with everything it
 * imports bundled into one script and one stylesheet, named by their content hash, held in memory, and the page's
 * HTML shell (dashboards/shell.html) naming them. No CDN, nothing fetched at run time: the machines are offline.
 * Deterministic: the same sources give the same bytes and names.
 *
 * This is where the server reaches into dashboards/: it reads the browser code's files to bundle them. The browser
 * code itself reads the API over /graphql like any client.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export interface PageAsset {
  contentType: string;
  body: Buffer;
}

export interface PageBundle {
  html: string;
  /** By path: `${assetPrefix}${name}.<hash>.js|css` */
  assets: Map<string, PageAsset>;
}

export interface PageSource {
  /** The entry file, as a path. */
  entry: string;
  /** The assets' file name before the hash: `app`, `workbench`. */
  name: string;
  /** Where the assets are served: `/assets/`, `/workbench/assets/`. */
  assetPrefix: string;
  /** The HTML shell's title and the id of the element the script renders into. */
  title: string;
  root: string;
  plugins?: Plugin[];
  /** Build-time constants (esbuild's `define`), besides `process.env.NODE_ENV`. */
  define?: Record<string, string>;
}

/** A file of this repository, from the root. */
export const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const SHELL = repoFile('dashboards/shell.html');

export async function buildPage(s: PageSource): Promise<PageBundle> {
  const result = await build({
    entryPoints: { [s.name]: s.entry },
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    minify: true,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'silent',
    plugins: s.plugins ?? [],
    // The pages import the catalogue and the spec; nothing from Node reaches the browser.
    define: { 'process.env.NODE_ENV': '"production"', ...s.define },
  });
  const assets = new Map<string, PageAsset>();
  const names: Record<string, string> = {};
  for (const f of result.outputFiles) {
    const ext = f.path.endsWith('.css') ? 'css' : 'js';
    const hash = createHash('sha256').update(f.contents).digest('hex').slice(0, 12);
    const path = `${s.assetPrefix}${s.name}.${hash}.${ext}`;
    names[ext] = path;
    assets.set(path, {
      contentType: ext === 'css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      body: Buffer.from(f.contents),
    });
  }
  if (!names.js || !names.css) throw new Error(`the ${s.name} bundle has no script or no stylesheet`);
  const fill: Record<string, string> = { TITLE: s.title, ROOT: s.root, APP_JS: names.js, APP_CSS: names.css };
  const html = readFileSync(SHELL, 'utf8').replace(/%(TITLE|ROOT|APP_JS|APP_CSS)%/g, (_, k: string) => fill[k]);
  return { html, assets };
}

/** A bundle built on first use and kept for the life of the process; a failed build is tried again next time. */
export function builtOnce(make: () => Promise<PageBundle>): () => Promise<PageBundle> {
  let bundle: Promise<PageBundle> | null = null;
  return () => {
    bundle ??= make();
    bundle.catch(() => (bundle = null));
    return bundle;
  };
}
