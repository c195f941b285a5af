/**
 * A local HTTP server on 127.0.0.1 that answers like Grafana's documented HTTP API, for the endpoints
 * `pcmbn dashboards push` uses (no Grafana can be installed on these machines). Status codes and bodies follow
 * Grafana's docs: "Folder HTTP API" (/api/folders), "Data source HTTP API" (/api/datasources), "Dashboard HTTP
 * API" (/api/dashboards/db, /api/dashboards/uid/:uid, 412 with status version-mismatch / name-exists), and
 * /api/health. Tokens: `admin` may do everything, `viewer` may only read (403 on writes), anything else is 401.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredFolder {
  id: number;
  uid: string;
  title: string;
  version: number;
}
interface StoredDataSource {
  id: number;
  uid: string;
  name: string;
  type: string;
  access: string;
  url: string;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  secureJsonFields: Record<string, boolean>;
  secrets: Record<string, string>;
  version: number;
  readOnly: boolean;
}
interface StoredDashboard {
  id: number;
  uid: string;
  folderUid?: string;
  version: number;
  dashboard: Record<string, unknown>;
  provisioned: boolean;
}

export interface FakeGrafana {
  url: string;
  /** Every request, as "METHOD /path". */
  requests: string[];
  folders: Map<string, StoredFolder>;
  datasources: Map<string, StoredDataSource>;
  dashboards: Map<string, StoredDashboard>;
  /** Simulates someone saving a dashboard in Grafana's UI: a new version. */
  editDashboard(uid: string, change: Record<string, unknown>): void;
  /** Runs once before the next dashboard save (to simulate a concurrent edit between read and write). */
  beforeNextSave: (() => void) | null;
  close(): Promise<void>;
}

export const TOKENS = { admin: 'glsa_admin_token_for_tests', viewer: 'glsa_viewer_token_for_tests' } as const;

const slug = (title: string) =>
  title
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export async function startFakeGrafana(version = '12.2.1'): Promise<FakeGrafana> {
  const folders = new Map<string, StoredFolder>();
  const datasources = new Map<string, StoredDataSource>();
  const dashboards = new Map<string, StoredDashboard>();
  const requests: string[] = [];
  let nextId = 1;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c));
      req.on('end', () => {
        try {
          resolve(text ? JSON.parse(text) : undefined);
        } catch {
          resolve(Symbol.for('invalid'));
        }
      });
    });

  const dsView = (d: StoredDataSource) => {
    const { secrets: _, ...view } = d;
    return { ...view, orgId: 1, typeLogoUrl: '', basicAuth: false, withCredentials: false };
  };

  const fake: FakeGrafana = {
    url: '',
    requests,
    folders,
    datasources,
    dashboards,
    beforeNextSave: null,
    editDashboard(uid, change) {
      const d = dashboards.get(uid)!;
      d.version++;
      d.dashboard = { ...d.dashboard, ...change, version: d.version };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const path = url.pathname;
    requests.push(`${req.method} ${path}`);
    if (req.method === 'GET' && path === '/api/health')
      return send(res, 200, { commit: 'test', database: 'ok', version });

    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const role = token === TOKENS.admin ? 'admin' : token === TOKENS.viewer ? 'viewer' : null;
    if (!role)
      return send(res, 401, {
        extra: null,
        message: 'Invalid API key',
        messageId: 'api-key.invalid',
        statusCode: 401,
        traceID: '',
      });
    const body = req.method === 'GET' ? undefined : await readBody(req);
    if (body === Symbol.for('invalid')) return send(res, 400, { message: 'bad request data' });
    const b = (body ?? {}) as Record<string, any>;
    const denied = (action: string) =>
      send(res, 403, {
        accessErrorId: 'ACE0123456789',
        message: `You'll need additional permissions to perform this action. Permissions needed: ${action}`,
        title: 'Access denied',
      });

    let m: RegExpExecArray | null;
    // Folders
    if ((m = /^\/api\/folders\/([^/]+)$/.exec(path))) {
      const f = folders.get(decodeURIComponent(m[1]));
      if (req.method === 'GET')
        return f
          ? send(res, 200, { ...f, url: `/dashboards/f/${f.uid}/${slug(f.title)}`, canSave: true })
          : send(res, 404, { message: 'folder not found', status: 'not-found' });
      if (req.method === 'PUT') {
        if (role !== 'admin') return denied('folders:write');
        if (!f) return send(res, 404, { message: 'folder not found', status: 'not-found' });
        if (!b.overwrite && b.version !== f.version)
          return send(res, 412, { message: 'The folder has been changed by someone else', status: 'version-mismatch' });
        f.title = b.title;
        f.version++;
        return send(res, 200, { ...f });
      }
    }
    if (path === '/api/folders' && req.method === 'POST') {
      if (role !== 'admin') return denied('folders:create');
      if (!b.title) return send(res, 400, { message: 'folder title cannot be empty' });
      if (folders.has(b.uid))
        return send(res, 412, { message: 'a folder with the same uid already exists', status: 'uid-exists' });
      const f = { id: nextId++, uid: b.uid ?? `f${nextId}`, title: b.title, version: 1 };
      folders.set(f.uid, f);
      return send(res, 200, { ...f, url: `/dashboards/f/${f.uid}/${slug(f.title)}` });
    }
    // Data sources
    if ((m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path))) {
      const d = datasources.get(decodeURIComponent(m[1]));
      if (req.method === 'GET')
        return d ? send(res, 200, dsView(d)) : send(res, 404, { message: 'Data source not found' });
      if (req.method === 'PUT') {
        if (role !== 'admin') return denied('datasources:write');
        if (!d) return send(res, 404, { message: 'Data source not found' });
        if (d.readOnly) return send(res, 403, { message: 'Cannot update read-only data source' });
        if ([...datasources.values()].some((o) => o !== d && o.name === b.name))
          return send(res, 409, { message: 'data source with the same name already exists' });
        Object.assign(d, {
          name: b.name,
          type: b.type,
          access: b.access,
          url: b.url,
          isDefault: Boolean(b.isDefault),
          jsonData: b.jsonData ?? {},
        });
        for (const [k, v] of Object.entries((b.secureJsonData ?? {}) as Record<string, string>)) {
          d.secrets[k] = v;
          d.secureJsonFields[k] = true;
        }
        d.version++;
        return send(res, 200, { datasource: dsView(d), id: d.id, message: 'Datasource updated', name: d.name });
      }
    }
    if (path === '/api/datasources' && req.method === 'POST') {
      if (role !== 'admin') return denied('datasources:create');
      if (!b.name || !b.type) return send(res, 400, { message: 'Required: name and type' });
      if ([...datasources.values()].some((o) => o.name === b.name))
        return send(res, 409, { message: 'data source with the same name already exists' });
      if (b.uid && datasources.has(b.uid))
        return send(res, 409, { message: 'data source with the same uid already exists' });
      const secrets = (b.secureJsonData ?? {}) as Record<string, string>;
      const d: StoredDataSource = {
        id: nextId++,
        uid: b.uid,
        name: b.name,
        type: b.type,
        access: b.access,
        url: b.url,
        isDefault: Boolean(b.isDefault),
        jsonData: b.jsonData ?? {},
        secrets: { ...secrets },
        secureJsonFields: Object.fromEntries(Object.keys(secrets).map((k) => [k, true])),
        version: 1,
        readOnly: false,
      };
      datasources.set(d.uid, d);
      return send(res, 200, { datasource: dsView(d), id: d.id, message: 'Datasource added', name: d.name });
    }
    // Dashboards
    if ((m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path)) && req.method === 'GET') {
      const d = dashboards.get(decodeURIComponent(m[1]));
      if (!d) return send(res, 404, { message: 'Dashboard not found' });
      return send(res, 200, {
        dashboard: { ...d.dashboard, id: d.id, uid: d.uid, version: d.version },
        meta: {
          isStarred: false,
          url: `/d/${d.uid}/${slug(String(d.dashboard.title))}`,
          folderUid: d.folderUid,
          version: d.version,
          provisioned: d.provisioned,
          slug: slug(String(d.dashboard.title)),
        },
      });
    }
    if (path === '/api/dashboards/db' && req.method === 'POST') {
      if (role !== 'admin') return denied('dashboards:write');
      fake.beforeNextSave?.();
      fake.beforeNextSave = null;
      const dash = b.dashboard as Record<string, any> | undefined;
      if (!dash || typeof dash !== 'object') return send(res, 400, { message: 'bad request data' });
      if (!dash.title) return send(res, 400, { message: 'Dashboard title cannot be empty', status: 'empty-name' });
      if (b.folderUid && !folders.has(b.folderUid))
        return send(res, 400, { message: 'folder not found', status: 'not-found' });
      const existing = dash.uid ? dashboards.get(dash.uid) : undefined;
      const sameName = [...dashboards.values()].find(
        (o) => o.uid !== dash.uid && o.folderUid === b.folderUid && o.dashboard.title === dash.title,
      );
      if (sameName && !b.overwrite)
        return send(res, 412, {
          message: 'A dashboard with the same name in the folder already exists',
          status: 'name-exists',
        });
      if (existing) {
        if (existing.provisioned)
          return send(res, 400, { message: 'Cannot save provisioned dashboard', status: 'provisioned-dashboard' });
        if (!b.overwrite && dash.version !== existing.version)
          return send(res, 412, {
            message: 'The dashboard has been changed by someone else',
            status: 'version-mismatch',
          });
        existing.version++;
        existing.folderUid = b.folderUid;
        existing.dashboard = { ...dash, id: existing.id, version: existing.version };
      } else {
        if (dash.id !== null && dash.id !== undefined)
          return send(res, 404, { message: 'Dashboard not found', status: 'not-found' });
        const uid = dash.uid ?? `d${nextId}`;
        dashboards.set(uid, {
          id: nextId++,
          uid,
          folderUid: b.folderUid,
          version: 1,
          dashboard: { ...dash, uid, version: 1 },
          provisioned: false,
        });
      }
      const d = dashboards.get(dash.uid)!;
      return send(res, 200, {
        id: d.id,
        uid: d.uid,
        url: `/d/${d.uid}/${slug(dash.title)}`,
        status: 'success',
        version: d.version,
        slug: slug(dash.title),
      });
    }
    return send(res, 404, { message: 'Not found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
