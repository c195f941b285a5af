/**
 * Serves the analyst's workbench (dashboards/workbench/): `GET /graphql` to a browser (a GET that prefers HTML to
 * JSON, the test Apollo used for its landing page) and `GET /workbench/assets/…`. Everything else at /graphql goes
 * on to the API. The page holds no key.
 *
 * Bundled as the dashboard page is (bundle.ts), with React, GraphiQL (CodeMirror 5) and the saved questions. The
 * README's example queries are read at build time and compiled in, so the README stays their only home.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { Request } from 'express';
import { Router } from 'express';
import type { Plugin } from 'esbuild';
import { readmeQuestions } from '../../dashboards/workbench/questions.ts';
import { buildPage, builtOnce, repoFile } from './bundle.ts';
import { servePage } from './serve.ts';

const SECURITY_HEADERS = {
  // GraphiQL sets inline styles and embeds its fonts as data: URLs; downloads are blob: URLs the page makes itself.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src " +
    "'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

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

/** The workbench bundle, built once per process. */
export const workbenchBundle = builtOnce(() =>
  buildPage({
    entry: repoFile('dashboards/workbench/main.tsx'),
    name: 'workbench',
    assetPrefix: ASSET_PREFIX,
    title: 'Bàn làm việc phân tích · PCMBN',
    root: 'workbench',
    plugins: [noOtherHosts],
    define: { README_QUESTIONS: JSON.stringify(readmeQuestions(readFileSync(repoFile('README.md'), 'utf8'))) },
  }),
);

function wantsPage(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

export function workbench(o: { log?: (line: string) => void } = {}): Router {
  const router = Router();
  servePage(router, {
    name: 'workbench',
    bundle: workbenchBundle,
    path: '/graphql',
    assetPrefix: ASSET_PREFIX,
    headers: SECURITY_HEADERS,
    wants: wantsPage,
    htmlHeaders: { Vary: 'Accept' },
    log: o.log ?? ((line: string) => console.error(line)),
  });
  return router;
}
