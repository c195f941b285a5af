/**
 * Builds the workbench with esbuild, as the dashboard page is built: `main.tsx` with React, GraphiQL (CodeMirror 5)
 * and the saved questions bundled into one script and one stylesheet, named by content hash, held in memory.
 * Nothing is fetched at run time: the machines are offline. The README's example queries are read now and
 * compiled in, so the README stays their only home.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';
import { readmeQuestions } from './questions.ts';

export interface WorkbenchAsset {
  contentType: string;
  body: Buffer;
}

export interface WorkbenchBundle {
  html: string;
  /** By path: /workbench/assets/workbench.<hash>.js|css */
  assets: Map<string, WorkbenchAsset>;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * A scheme and host, unless it begins one of the XML namespaces (svg, xlink, xhtml, MathML, xml, xmlns): those
 * are names the DOM takes to create elements, never fetched.
 */
const OTHER_HOST =
  /\bhttps?:\/\/(?!www\.w3\.org\/(?:2000\/svg|1999\/xlink|1999\/xhtml|1998\/Math\/MathML|XML\/1998\/namespace|2000\/xmlns\/))(?=[a-z0-9])/gi;

/**
 * React, GraphiQL, CodeMirror and graphql-js carry links to their own sites in error messages, help links and the
 * descriptions of the built-in scalars. The bundle keeps their text without the scheme and host's slashes, so a
 * page served here can never reach another host, even through a click.
 */
const noOtherHosts: Plugin = {
  name: 'no-other-hosts',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('://')) return undefined;
      const contents = text.replace(OTHER_HOST, '');
      return { contents, loader: 'js' };
    });
  },
};

export const ASSET_PREFIX = '/workbench/assets/';

export async function buildWorkbench(): Promise<WorkbenchBundle> {
  const questions = readmeQuestions(readFileSync(here('../../README.md'), 'utf8'));
  const result = await build({
    entryPoints: { workbench: here('./main.tsx') },
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
    plugins: [noOtherHosts],
    define: { 'process.env.NODE_ENV': '"production"', README_QUESTIONS: JSON.stringify(questions) },
  });
  const assets = new Map<string, WorkbenchAsset>();
  const names: Record<string, string> = {};
  for (const f of result.outputFiles) {
    const ext = f.path.endsWith('.css') ? 'css' : 'js';
    const hash = createHash('sha256').update(f.contents).digest('hex').slice(0, 12);
    const path = `${ASSET_PREFIX}workbench.${hash}.${ext}`;
    names[ext] = path;
    assets.set(path, {
      contentType: ext === 'css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      body: Buffer.from(f.contents),
    });
  }
  if (!names.js || !names.css) throw new Error('the workbench bundle has no script or no stylesheet');
  const html = readFileSync(here('./index.html'), 'utf8').replace('%APP_JS%', names.js).replace('%APP_CSS%', names.css);
  return { html, assets };
}
