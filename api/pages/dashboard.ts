/**
 * Serves the built-in dashboard page (dashboards/page/): `GET /` (the page), `GET /assets/app.<hash>.js|css`, and
 * `GET /dashboard-config.json`, which tells the page how to call the API. Mounted by api/server.ts; the page then
 * reads /graphql like any client.
 *
 * The API key, decided here (and documented in the README):
 * - the server lets anonymous viewers in (PCMBN_ANONYMOUS=viewer): the page sends no key;
 * - the demo (`npm start` / `pcmbn start` keeps a leader key of the whole country in demo-key.txt beside the
 *   warehouse, and only it passes `demoKeyFile`): the page gets that key, but only when the browser is on this
 *   machine: the connection comes from and to a loopback address, the Host header names a loopback host (a
 *   DNS-rebinding page cannot pass), and no proxy header says the request was forwarded. A proxy that sets none
 *   (nginx by default) is indistinguishable from a local browser, which is why `pcmbn serve`, the command for
 *   production, never hands a key out, whatever files lie beside its warehouse. Any other request is told to ask
 *   for a key;
 * - otherwise the page asks the user for a key and keeps it in the browser session only.
 * The key is never written into the HTML, and the answer is never cached.
 *
 * The bundle is built on the first request (esbuild, about a second) and kept for the life of the process.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { Router } from 'express';
import { buildPage, builtOnce, repoFile } from './bundle.ts';
import { servePage } from './serve.ts';

export interface PageOptions {
  /** The server lets requests without a key in as viewers. */
  anonymous: boolean;
  /** Where `pcmbn start` keeps the demo's leader key (demo-key.txt beside the warehouse); none: no demo key. */
  demoKeyFile?: string;
  /** Where build failures are logged; default stderr. */
  log?: (line: string) => void;
}

const TOKEN = /^pcmbn_[A-Za-z0-9_-]{43}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src " +
    "'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** The page bundle, built once per process. */
export const pageBundle = builtOnce(() =>
  buildPage({
    entry: repoFile('dashboards/page/main.ts'),
    name: 'app',
    assetPrefix: '/assets/',
    title: 'Phòng, chống mua bán người · Bảng điều khiển',
    root: 'app',
  }),
);

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIP(a) === 4 ? a.startsWith('127.') : a === '::1';
}

function hostName(host: string | undefined): string {
  if (!host) return '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

/** The demo key, for a browser on this machine only; null otherwise. */
export function demoKeyFor(req: IncomingMessage, demoKeyFile: string | undefined): string | null {
  if (demoKeyFile === undefined) return null;
  if (!isLoopbackAddress(req.socket.remoteAddress) || !isLoopbackAddress(req.socket.localAddress)) return null;
  if (!LOOPBACK_HOSTS.has(hostName(req.headers.host).toLowerCase())) return null;
  if (req.headers.forwarded || req.headers['x-forwarded-for'] || req.headers['x-real-ip']) return null;
  if (req.headers['sec-fetch-site'] === 'cross-site') return null;
  let token: string;
  try {
    token = readFileSync(demoKeyFile, 'utf8').trim();
  } catch {
    return null;
  }
  return TOKEN.test(token) ? token : null;
}

export function dashboardPage(o: PageOptions): Router {
  const log = o.log ?? ((line: string) => console.error(line));
  const router = Router();

  router.get('/dashboard-config.json', (req, res) => {
    res.set({ 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
    if (o.anonymous) return void res.json({ auth: 'anonymous' });
    const token = demoKeyFor(req, o.demoKeyFile);
    res.json(token ? { auth: 'demo', token } : { auth: 'key' });
  });

  servePage(router, {
    name: 'dashboard page',
    bundle: pageBundle,
    path: '/',
    assetPrefix: '/assets/',
    headers: SECURITY_HEADERS,
    log,
  });
  return router;
}
