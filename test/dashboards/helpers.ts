/**
 * Shared by the dashboard tests: a warehouse with the demo sample (generated and loaded once per test file, about
 * 10 s), the generated Grafana files read back from disk, and the Infinity queries they hold.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { loadFiles } from '../../etl/load.ts';
import { generateSample } from '../../etl/sample.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { Column, QuerySpec } from '../../dashboards/spec.ts';
import { DEFAULT_OUT_DIR } from '../../dashboards/provisioning.ts';
import { freshWarehouse, tempDir } from '../helpers.ts';
import { CHROMIUM_PATH } from '../requirements.ts';

/**
 * Debian's Chromium, headless. As root it needs no sandbox; without the background-networking flags it keeps trying
 * hosts this closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A fresh warehouse with the demo sample loaded (closed by cleanupTemp). */
export async function demoWarehouse(): Promise<Warehouse> {
  const dir = tempDir('pcmbn-demo-');
  await generateSample({ scale: 'demo', outDir: dir });
  const w = await freshWarehouse();
  const r = await loadFiles(w, [dir], { baseDir: dir });
  const rejected = r.files.filter((f) => f.status === 'rejected');
  if (rejected.length) throw new Error(`demo files rejected: ${rejected.map((f) => f.name).join(', ')}`);
  return w;
}

export interface GrafanaTarget {
  refId: string;
  type: string;
  source: string;
  parser: string;
  url: string;
  url_options: { method: string; body_type: string; body_graphql_query: string; body_graphql_variables: string };
  root_selector: string;
  columns: { selector: string; text: string; type: Column['type']; timestampFormat?: string }[];
}

export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: GrafanaTarget[];
  fieldConfig?: {
    defaults: Record<string, any>;
    overrides: { matcher: { id: string; options: string }; properties: { id: string; value: any }[] }[];
  };
  options?: Record<string, any>;
  transformations?: { id: string; options: any }[];
}

export interface GrafanaVariable {
  type: string;
  name: string;
  query: any;
  current?: { value: string };
  options?: { value: string }[];
  staticOptions?: { value: string }[];
}

export interface GrafanaDashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
  annotations: { list: { name: string; target?: GrafanaTarget; datasource?: { uid: string } }[] };
  [k: string]: unknown;
}

/** The dashboard files as committed under dashboards/provisioning (what Grafana is given). */
export function committedDashboards(outDir = DEFAULT_OUT_DIR): GrafanaDashboardJson[] {
  const dir = path.join(outDir, 'dashboards/pcmbn');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** An Infinity target read back as the spec's query shape. */
export function asQuery(t: GrafanaTarget): QuerySpec {
  return {
    refId: t.refId,
    graphql: t.url_options.body_graphql_query,
    variables: t.url_options.body_graphql_variables,
    root: t.root_selector,
    columns: t.columns.map((c) => ({
      selector: c.selector,
      alias: c.text,
      type: c.type,
      ...(c.timestampFormat ? { timestampFormat: c.timestampFormat } : {}),
    })),
  };
}
