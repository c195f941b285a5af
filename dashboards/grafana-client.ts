/**
 * A small typed client for the parts of Grafana's HTTP API that `pcmbn dashboards push` uses: health, folders,
 * data sources and dashboards, through the `/api/…` endpoints Grafana documents ("Folder HTTP API", "Data source
 * HTTP API", "Dashboard HTTP API"; still served by Grafana 12 and 13 next to the newer `/apis/…` resources).
 *
 * Every failure becomes a `GrafanaError` with a kind and a message that says what to do: a wrong token (401), a
 * service account without the permission (403), a precondition failed (412: changed by someone else, a dashboard
 * of the same name, a plugin's dashboard), an unreachable host or a timeout.
 */

export type GrafanaErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'precondition'
  | 'conflict'
  | 'bad-request'
  | 'server'
  | 'bad-response';

export class GrafanaError extends Error {
  constructor(
    readonly kind: GrafanaErrorKind,
    message: string,
    readonly status?: number,
    /** Grafana's `status` field for 412 answers: version-mismatch, name-exists, plugin-dashboard. */
    readonly grafanaStatus?: string,
  ) {
    super(message);
    this.name = 'GrafanaError';
  }
}

export interface Health {
  database: string;
  version: string;
  commit?: string;
}

export interface Folder {
  id?: number;
  uid: string;
  title: string;
  url?: string;
  version?: number;
  parentUid?: string;
}

export interface DataSourceSettings {
  name: string;
  uid: string;
  type: string;
  access: 'proxy' | 'direct';
  url: string;
  isDefault?: boolean;
  jsonData: Record<string, unknown>;
  /** Write-only: Grafana encrypts these and answers with `secureJsonFields`. */
  secureJsonData?: Record<string, string>;
}

export interface DataSource extends Omit<DataSourceSettings, 'secureJsonData'> {
  id: number;
  orgId?: number;
  version?: number;
  readOnly?: boolean;
  secureJsonFields?: Record<string, boolean>;
}

export interface DashboardModel {
  uid: string;
  title: string;
  id?: number | null;
  version?: number;
  [key: string]: unknown;
}

export interface DashboardWithMeta {
  dashboard: DashboardModel;
  meta: { folderUid?: string; url?: string; version?: number; provisioned?: boolean; [key: string]: unknown };
}

export interface SaveDashboardRequest {
  dashboard: DashboardModel;
  folderUid?: string;
  overwrite: boolean;
  message?: string;
}

export interface SaveDashboardResult {
  id: number;
  uid: string;
  url: string;
  status: string;
  version: number;
  slug?: string;
}

export interface GrafanaClientOptions {
  /** Grafana's root URL, e.g. http://grafana.internal:3000 (a sub-path such as /grafana is kept). */
  url: string;
  /** A service account token: sent as `Authorization: Bearer …`. */
  token: string;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

interface RequestOptions {
  body?: unknown;
  /** What the request does, for error messages: "create the folder \"PCMBN\"". */
  action: string;
  /** Answer null instead of failing on 404. */
  notFoundIsNull?: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

export class GrafanaClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(o: GrafanaClientOptions) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw new GrafanaError(
        'bad-request',
        `--grafana "${o.url}" is not a URL: expected Grafana's address, such as http://127.0.0.1:3000`,
      );
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new GrafanaError('bad-request', `--grafana "${o.url}": expected an http:// or https:// address`);
    if (!o.token || /\s/.test(o.token))
      throw new GrafanaError(
        'bad-request',
        'the Grafana token is empty or has spaces: pass a service account token (glsa_…) with --token or ' +
          'GRAFANA_TOKEN',
      );
    this.baseUrl = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? 15_000;
  }

  health(): Promise<Health> {
    return this.request<Health>('GET', '/api/health', { action: 'read its health' }) as Promise<Health>;
  }

  getFolder(uid: string): Promise<Folder | null> {
    return this.request<Folder>('GET', `/api/folders/${encodeURIComponent(uid)}`, {
      action: `read the folder ${uid}`,
      notFoundIsNull: true,
    });
  }

  createFolder(f: { uid: string; title: string }): Promise<Folder> {
    return this.request<Folder>('POST', '/api/folders', {
      body: f,
      action: `create the folder "${f.title}"`,
    }) as Promise<Folder>;
  }

  updateFolder(uid: string, f: { title: string; version?: number; overwrite?: boolean }): Promise<Folder> {
    return this.request<Folder>('PUT', `/api/folders/${encodeURIComponent(uid)}`, {
      body: f,
      action: `rename the folder ${uid} to "${f.title}"`,
    }) as Promise<Folder>;
  }

  getDataSource(uid: string): Promise<DataSource | null> {
    return this.request<DataSource>('GET', `/api/datasources/uid/${encodeURIComponent(uid)}`, {
      action: `read the data source ${uid}`,
      notFoundIsNull: true,
    });
  }

  async createDataSource(ds: DataSourceSettings): Promise<DataSource> {
    const r = await this.request<{ datasource: DataSource }>('POST', '/api/datasources', {
      body: ds,
      action: `create the data source "${ds.name}"`,
    });
    return r!.datasource;
  }

  async updateDataSource(uid: string, ds: DataSourceSettings & { id?: number; version?: number }): Promise<DataSource> {
    const r = await this.request<{ datasource: DataSource }>('PUT', `/api/datasources/uid/${encodeURIComponent(uid)}`, {
      body: ds,
      action: `update the data source "${ds.name}"`,
    });
    return r!.datasource;
  }

  getDashboard(uid: string): Promise<DashboardWithMeta | null> {
    return this.request<DashboardWithMeta>('GET', `/api/dashboards/uid/${encodeURIComponent(uid)}`, {
      action: `read the dashboard ${uid}`,
      notFoundIsNull: true,
    });
  }

  saveDashboard(r: SaveDashboardRequest): Promise<SaveDashboardResult> {
    return this.request<SaveDashboardResult>('POST', '/api/dashboards/db', {
      body: r,
      action: `save the dashboard "${r.dashboard.title}" (${r.dashboard.uid})`,
    }) as Promise<SaveDashboardResult>;
  }

  private async request<T>(method: string, path: string, o: RequestOptions): Promise<T | null> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      throw this.networkError(e, o.action);
    }
    const text = await res.text().catch(() => '');
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) {
      if (body === undefined || body === null || typeof body !== 'object') {
        throw new GrafanaError(
          'bad-response',
          `${method} ${url} answered ${res.status} without a JSON body: is ${this.baseUrl} Grafana (and not a ` +
            `proxy's page)?`,
          res.status,
        );
      }
      return body as T;
    }
    if (res.status === 404 && o.notFoundIsNull) return null;
    throw this.httpError(res.status, body, o.action, method, url);
  }

  private networkError(e: unknown, action: string): GrafanaError {
    const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      return new GrafanaError(
        'timeout',
        `Grafana at ${this.baseUrl} did not answer within ${this.timeoutMs / 1000} s while trying to ${action}: is ` +
          `it overloaded, or is the address a firewall that drops packets?`,
      );
    }
    const code = err.cause?.code;
    const why = code && NETWORK_CODES.has(code) ? code : (err.cause?.message ?? err.message ?? String(e));
    const hint =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve: check --grafana'
        : code === 'ECONNREFUSED'
          ? 'nothing listens there: is Grafana running, and is the port right?'
          : 'check --grafana and the network between here and Grafana';
    return new GrafanaError('unreachable', `cannot reach Grafana at ${this.baseUrl} to ${action} (${why}): ${hint}`);
  }

  private httpError(status: number, body: unknown, action: string, method: string, url: string): GrafanaError {
    const b = (body && typeof body === 'object' ? body : {}) as { message?: string; status?: string };
    const said = b.message ? `; Grafana said: "${b.message}"` : '';
    switch (status) {
      case 401:
        return new GrafanaError(
          'unauthorized',
          `Grafana at ${this.baseUrl} refused the token (401 Unauthorized${said}): pass a valid service account ` +
            `token of this Grafana with --token or GRAFANA_TOKEN (Administration → Users and access → Service ` +
            `accounts → Add token)`,
          status,
        );
      case 403:
        return new GrafanaError(
          'forbidden',
          `the service account may not ${action} (403 Forbidden${said}): give it the Editor role for folders and ` +
            `dashboards, and Admin (or datasources:create/write) for the data source`,
          status,
        );
      case 412: {
        const reason =
          b.status === 'version-mismatch'
            ? 'it was changed by someone else since it was read: run the push again'
            : b.status === 'name-exists'
              ? 'another dashboard with the same title already exists in that folder: rename or move that one, or ' +
                'choose another folder with --folder'
              : b.status === 'plugin-dashboard'
                ? "it belongs to a plugin: remove the plugin's dashboard first"
                : 'a precondition failed';
        return new GrafanaError(
          'precondition',
          `Grafana would not ${action} (412 Precondition Failed${b.status ? `, ${b.status}` : ''}): ${reason}${said}`,
          status,
          b.status,
        );
      }
      case 409:
        return new GrafanaError(
          'conflict',
          `Grafana would not ${action} (409 Conflict${said}): something with the same name or uid already exists`,
          status,
        );
      case 404:
        return new GrafanaError(
          'not-found',
          `${method} ${url}: 404 Not Found while trying to ${action}${said}: is ${this.baseUrl} Grafana's root URL?`,
          status,
        );
      case 400:
      case 422:
        return new GrafanaError('bad-request', `Grafana rejected the request to ${action} (${status}${said})`, status);
      default:
        return new GrafanaError(
          status >= 500 ? 'server' : 'bad-request',
          `Grafana failed to ${action} (${status}${said})`,
          status,
        );
    }
  }
}
