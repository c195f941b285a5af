/**
 * `pcmbn dashboards push`: makes a Grafana match the dashboards of this repository, through its HTTP API.
 *
 * Idempotent: everything is read first and written only when it differs, so a second push changes nothing (no new
 * dashboard versions). Dashboards edited by hand in Grafana are replaced by the generated ones (dashboards as
 * code), with Grafana's optimistic locking: the version read is the version written over, so an edit made during
 * the push fails with 412 instead of being lost silently.
 */
import { createHash } from 'node:crypto';
import { DATASOURCE, FOLDER, GRAFANA, grafanaDashboards } from './grafana.ts';
import {
  type DashboardModel,
  type DataSource,
  type DataSourceSettings,
  GrafanaClient,
  GrafanaError,
} from './grafana-client.ts';
import { datasourceSettings, DEFAULT_API_URL } from './provisioning.ts';

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface PushOptions {
  grafanaUrl: string;
  token: string;
  /** Folder title; default "Phòng, chống mua bán người (Anti-trafficking)". Its uid is always `pcmbn`. */
  folder?: string;
  /** The API's origin as Grafana reaches it. */
  apiUrl?: string;
  /** A viewer key of the API for the data source; without one an existing data source keeps its key. */
  apiKey?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface PushReport {
  grafanaVersion: string;
  folder: { uid: string; title: string; outcome: Outcome };
  datasource: { uid: string; outcome: Outcome; authenticated: boolean };
  dashboards: { uid: string; title: string; outcome: Outcome; url?: string }[];
}

/** JSON with object keys sorted: Grafana may hand a dashboard back with its keys in another order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : value,
  );
}

function withoutIdentity(d: DashboardModel): unknown {
  const { id: _id, version: _version, ...rest } = d;
  return rest;
}

/**
 * A fingerprint of the API key, kept in the data source's jsonData: Grafana never gives a stored secret back, so
 * this is how a second push knows the key is already there (16 hex digits of a SHA-256: nothing to guess from).
 */
export function keyFingerprint(apiKey: string): string {
  return createHash('sha256').update(`pcmbn-grafana-datasource:${apiKey}`).digest('hex').slice(0, 16);
}

function sameDataSource(existing: DataSource, wanted: DataSourceSettings): boolean {
  return (
    existing.name === wanted.name &&
    existing.type === wanted.type &&
    existing.access === wanted.access &&
    existing.url === wanted.url &&
    Boolean(existing.isDefault) === Boolean(wanted.isDefault) &&
    canonicalJson(existing.jsonData ?? {}) === canonicalJson(wanted.jsonData)
  );
}

function versionOf(v: string): number[] {
  return v
    .split(/[.-]/)
    .slice(0, 3)
    .map((n) => Number.parseInt(n, 10) || 0);
}

function older(a: string, b: string): boolean {
  const [x, y] = [versionOf(a), versionOf(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

export async function pushDashboards(o: PushOptions): Promise<PushReport> {
  const log = o.log ?? (() => {});
  const grafana = new GrafanaClient({ url: o.grafanaUrl, token: o.token, timeoutMs: o.timeoutMs });

  const health = await grafana.health();
  if (older(health.version, GRAFANA.version)) {
    log(
      `warning: Grafana ${health.version} is older than ${GRAFANA.version}, the version these dashboards are ` +
        `written for (schemaVersion ${GRAFANA.schemaVersion})`,
    );
  }

  // The folder (uid pcmbn).
  const title = o.folder ?? FOLDER.title;
  const folder = await grafana.getFolder(FOLDER.uid);
  let folderOutcome: Outcome = 'unchanged';
  if (!folder) {
    await grafana.createFolder({ uid: FOLDER.uid, title });
    folderOutcome = 'created';
  } else if (folder.title !== title) {
    await grafana.updateFolder(FOLDER.uid, { title, version: folder.version });
    folderOutcome = 'updated';
  }
  log(`folder      ${FOLDER.uid} "${title}": ${folderOutcome}`);

  // The data source (uid pcmbn-api). Its key is write-only: the fingerprint tells whether the given key is stored.
  const existing = await grafana.getDataSource(DATASOURCE.uid!);
  const authenticated = Boolean(o.apiKey) || Boolean(existing?.secureJsonFields?.bearerToken);
  const settings = datasourceSettings(o.apiUrl ?? DEFAULT_API_URL, authenticated);
  const fingerprint = o.apiKey
    ? keyFingerprint(o.apiKey)
    : (existing?.jsonData?.pcmbnKeyFingerprint as string | undefined);
  const wanted: DataSourceSettings = {
    ...settings,
    jsonData: { ...settings.jsonData, ...(fingerprint ? { pcmbnKeyFingerprint: fingerprint } : {}) },
    ...(o.apiKey ? { secureJsonData: { bearerToken: o.apiKey } } : {}),
  };
  let dsOutcome: Outcome = 'unchanged';
  if (!existing) {
    if (!o.apiKey)
      log(
        'warning: no API key given (--api-key or PCMBN_API_KEY): the data source sends none, so the API must allow ' +
          'anonymous viewers (PCMBN_ANONYMOUS=viewer)',
      );
    await grafana.createDataSource(wanted);
    dsOutcome = 'created';
  } else if (!sameDataSource(existing, wanted) || (o.apiKey && !existing.secureJsonFields?.bearerToken)) {
    if (existing.readOnly) {
      throw new GrafanaError(
        'forbidden',
        `the data source ${DATASOURCE.uid} is provisioned from a file in Grafana (read-only): change that file ` +
          `(dashboards/provisioning/datasources/pcmbn.yaml) instead of pushing`,
      );
    }
    await grafana.updateDataSource(DATASOURCE.uid!, { ...wanted, id: existing.id, version: existing.version });
    dsOutcome = 'updated';
  }
  log(
    `data source ${DATASOURCE.uid} → ${wanted.url}${authenticated ? ' (with an API key)' : ' (no API key)'}: ` +
      `${dsOutcome}`,
  );

  // The dashboards.
  const dashboards: PushReport['dashboards'] = [];
  for (const d of grafanaDashboards()) {
    const model = JSON.parse(JSON.stringify(d)) as DashboardModel;
    const current = await grafana.getDashboard(model.uid);
    if (
      current &&
      current.meta.folderUid === FOLDER.uid &&
      canonicalJson(withoutIdentity(current.dashboard)) === canonicalJson(withoutIdentity(model))
    ) {
      dashboards.push({ uid: model.uid, title: model.title, outcome: 'unchanged', url: current.meta.url });
      log(`dashboard   ${model.uid}: unchanged`);
      continue;
    }
    if (current?.meta.provisioned) {
      throw new GrafanaError(
        'forbidden',
        `the dashboard ${model.uid} is provisioned from a file in Grafana and cannot be saved through the API: ` +
          `update the provisioned files (pcmbn dashboards build) instead of pushing`,
      );
    }
    const saved = await grafana.saveDashboard({
      dashboard: { ...model, id: current?.dashboard.id ?? null, version: current?.dashboard.version },
      folderUid: FOLDER.uid,
      overwrite: false,
      message: 'pcmbn dashboards push',
    });
    const outcome: Outcome = current ? 'updated' : 'created';
    dashboards.push({ uid: model.uid, title: model.title, outcome, url: saved.url });
    log(`dashboard   ${model.uid}: ${outcome} (version ${saved.version})`);
  }
  return {
    grafanaVersion: health.version,
    folder: { uid: FOLDER.uid, title, outcome: folderOutcome },
    datasource: { uid: DATASOURCE.uid!, outcome: dsOutcome, authenticated },
    dashboards,
  };
}
