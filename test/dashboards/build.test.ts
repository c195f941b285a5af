/**
 * `pcmbn dashboards build`: reproducible files, up to date in the repository, valid provisioning YAML, and
 * dashboard JSON that passes Grafana's published dashboard types (the foundation SDK's, generated from Grafana's
 * schema) when read back from disk, checked by the TypeScript compiler. Plus what "generated from the catalogue"
 * means: titles, units and thresholds come from it, and every variable a query uses is defined.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { GRAFANA } from '../../dashboards/grafana.ts';
import {
  buildProvisioning,
  checkProvisioning,
  DEFAULT_OUT_DIR,
  provisioningFiles,
} from '../../dashboards/provisioning.ts';
import { INDICATORS, RATIO_INDICATORS } from '../../schema/catalogue.ts';
import { pcmbn, pcmbnEnv, projectRoot } from '../api/client.ts';
import { cleanupTemp, tempDir } from '../helpers.ts';
import { committedDashboards, type GrafanaDashboardJson, type GrafanaPanel, type GrafanaTarget } from './helpers.ts';

afterAll(cleanupTemp);

const dashboards = committedDashboards();
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

describe('reproducible files', () => {
  it('the committed files are exactly what build writes', () => {
    expect(checkProvisioning()).toEqual([]);
  });

  it('two builds give the same bytes; a second build writes nothing; a dashboard no longer generated is removed', () => {
    const [a, b] = [tempDir(), tempDir()];
    const first = buildProvisioning(a);
    expect(first.written).toHaveLength(8);
    buildProvisioning(b);
    for (const f of provisioningFiles()) expect(read(b, f.path), f.path).toBe(read(a, f.path));
    fs.writeFileSync(path.join(a, 'dashboards/pcmbn/old-dashboard.json'), '{}');
    const again = buildProvisioning(a);
    expect(again).toEqual({ written: [], unchanged: first.written, removed: ['dashboards/pcmbn/old-dashboard.json'] });
    expect(checkProvisioning(a)).toEqual([]);
  });

  it(
    'the files hold no address or key: Grafana reads both from its environment, so a deployment rewrites nothing ' +
      'and --check stays green',
    async () => {
      const y = read(DEFAULT_OUT_DIR, 'datasources/pcmbn.yaml');
      expect(y).not.toMatch(/127\.0\.0\.1|localhost|pcmbn_[A-Za-z0-9_-]{43}/);
      // The README's recipe, as a deployment runs it: build (the files it would write are the committed ones), then
      // check.
      const env = pcmbnEnv(path.join(tempDir(), 'w.duckdb'), { PCMBN_API_URL: 'http://pcmbn-api.internal:4000' });
      const out = tempDir();
      expect((await pcmbn(env, 'dashboards', 'build', '--out', out)).code).toBe(0);
      for (const f of provisioningFiles()) expect(read(out, f.path), f.path).toBe(read(DEFAULT_OUT_DIR, f.path));
      const check = await pcmbn(env, 'dashboards', 'build', '--check');
      expect(check.code).toBe(0);
    },
  );

  it('`pcmbn dashboards build --check` (a real process) says the files are up to date', async () => {
    const r = await pcmbn(pcmbnEnv(path.join(tempDir(), 'w.duckdb')), 'dashboards', 'build', '--check');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^up to date/);
  });
});

describe('provisioning YAML', () => {
  it(
    'the data source: Infinity, the API origin from $PCMBN_API_URL, a bearer token from $PCMBN_API_KEY, the uid ' +
      'the panels use',
    () => {
      const y = parseYaml(read(DEFAULT_OUT_DIR, 'datasources/pcmbn.yaml'));
      expect(y.apiVersion).toBe(1);
      expect(y.datasources).toEqual([
        {
          name: 'PCMBN API',
          uid: 'pcmbn-api',
          type: 'yesoreyeram-infinity-datasource',
          access: 'proxy',
          url: '${PCMBN_API_URL}',
          isDefault: false,
          editable: false,
          jsonData: { auth_method: 'bearerToken', allowedHosts: ['${PCMBN_API_URL}'], timeoutInSeconds: 30 },
          secureJsonData: { bearerToken: '${PCMBN_API_KEY}' },
        },
      ]);
    },
  );

  it('the dashboards provider reads the JSON folder into the pcmbn folder', () => {
    const y = parseYaml(read(DEFAULT_OUT_DIR, 'dashboards/pcmbn.yaml'));
    expect(y.providers).toHaveLength(1);
    expect(y.providers[0]).toMatchObject({
      type: 'file',
      folderUid: 'pcmbn',
      allowUiUpdates: false,
      options: { path: '/etc/grafana/provisioning/dashboards/pcmbn' },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Grafana's dashboard schema, through the foundation SDK's types and the TypeScript compiler.

/** JSON as the SDK's types describe it: string enums are their values, methods (cog's markers) are absent. */
const JSON_TYPES = `
type IsAny<T> = 0 extends 1 & T ? true : false;
export type Json<T> = IsAny<T> extends true ? any
  : T extends (...args: any[]) => any ? never
  : T extends string ? \`\${T}\`
  : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T as T[K] extends (...args: any[]) => any ? never : K]: Json<T[K]> }
  : T;
`;

const PANEL_TYPES: Record<string, { module: string; fieldConfig: boolean }> = {
  stat: { module: 'stat', fieldConfig: false },
  timeseries: { module: 'timeseries', fieldConfig: true },
  bargauge: { module: 'bargauge', fieldConfig: false },
  barchart: { module: 'barchart', fieldConfig: true },
  table: { module: 'table', fieldConfig: true },
};

function typeCheckSource(d: GrafanaDashboardJson): string {
  const lines = [
    ...Object.values(PANEL_TYPES).map(
      (p) => `import type * as ${p.module} from '@grafana/grafana-foundation-sdk/${p.module}';`,
    ),
    "import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';",
    "import type { InfinityQuery } from '../../dashboards/grafana.ts';",
    "import type { Json } from './json.ts';",
    "type Target = Json<Omit<InfinityQuery, '_implementsDataqueryVariant'>>;",
    `export const dashboardJson: Json<dashboard.Dashboard> = ${JSON.stringify(d)};`,
  ];
  for (const p of d.panels) {
    if (p.type === 'row') continue;
    const t = PANEL_TYPES[p.type];
    if (!t) throw new Error(`no type check for panel type ${p.type}`);
    lines.push(`export const options${p.id}: Json<${t.module}.Options> = ${JSON.stringify(p.options ?? {})};`);
    if (t.fieldConfig)
      lines.push(
        `export const custom${p.id}: Json<${t.module}.FieldConfig> = ` +
          `${JSON.stringify(p.fieldConfig?.defaults.custom ?? {})};`,
      );
    (p.targets ?? []).forEach((target, n) =>
      lines.push(`export const target${p.id}_${n}: Target = ${JSON.stringify(target)};`),
    );
  }
  d.annotations.list.forEach(
    (a, n) => a.target && lines.push(`export const annotation${n}: Target = ${JSON.stringify(a.target)};`),
  );
  d.templating.list.forEach(
    (v, n) =>
      v.type === 'query' &&
      lines.push(
        `export const variable${n}: Omit<Target, 'refId'> & { refId: string } = ` +
          `${JSON.stringify(v.query.infinityQuery)};`,
      ),
  );
  return `${lines.join('\n')}\n`;
}

/** Diagnostics of type-checking each dashboard's JSON against the SDK's types, by file name. */
function typeCheck(docs: { name: string; dashboard: GrafanaDashboardJson }[]): Record<string, string[]> {
  const dir = fs.mkdtempSync(path.join(projectRoot, '.tmp', 'schema-check-'));
  try {
    fs.writeFileSync(path.join(dir, 'json.ts'), JSON_TYPES);
    const files = docs.map((d) => {
      const file = path.join(dir, `${d.name}.ts`);
      fs.writeFileSync(file, typeCheckSource(d.dashboard));
      return file;
    });
    const config = ts.readConfigFile(path.join(projectRoot, 'tsconfig.json'), ts.sys.readFile).config;
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, projectRoot);
    // A snippet imports every panel kind it might use: an unused one is not a schema error.
    const program = ts.createProgram(files, { ...options, noEmit: true, noUnusedLocals: false });
    const out: Record<string, string[]> = Object.fromEntries(docs.map((d) => [d.name, []]));
    for (const diag of ts.getPreEmitDiagnostics(program)) {
      const name = diag.file ? path.basename(diag.file.fileName, '.ts') : 'program';
      (out[name] ??= []).push(ts.flattenDiagnosticMessageText(diag.messageText, '\n').slice(0, 400));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("Grafana's dashboard schema", () => {
  it(
    'every dashboard file type-checks against the foundation SDK types (dashboard, panel options, field config, ' +
      'Infinity targets); a wrong file does not',
    () => {
      fs.mkdirSync(path.join(projectRoot, '.tmp'), { recursive: true });
      const broken = structuredClone(dashboards[0]);
      (broken as Record<string, unknown>).graphTooltip = 'shared';
      (broken.panels[1] as unknown as Record<string, unknown>).colour = 'red';
      broken.panels[1].options!.colorMode = 'rainbow'; // a bar gauge has no colorMode
      const result = typeCheck([
        ...dashboards.map((d) => ({ name: d.uid, dashboard: d })),
        { name: 'broken', dashboard: broken },
      ]);
      for (const d of dashboards) expect(result[d.uid], d.uid).toEqual([]);
      const errors = result.broken.join('\n');
      expect(errors).toMatch(/'string' is not assignable to type 'DashboardCursorSync/);
      expect(errors).toMatch(/'"colour"' does not exist/);
      expect(errors).toMatch(/'"colorMode"' does not exist/);
    },
  );

  it(
    `schemaVersion ${GRAFANA.schemaVersion}, the timezone of Vietnam, unique panel ids, panels inside the ` +
      `24-column grid and not overlapping`,
    () => {
      for (const d of dashboards) {
        expect(d.schemaVersion, d.uid).toBe(GRAFANA.schemaVersion);
        expect(d.timezone).toBe('Asia/Ho_Chi_Minh');
        const ids = d.panels.map((p) => p.id);
        expect(new Set(ids).size, d.uid).toBe(ids.length);
        const boxes = d.panels.map((p) => p.gridPos);
        for (const [i, a] of boxes.entries()) {
          expect(a.x + a.w, `${d.uid} panel ${ids[i]}`).toBeLessThanOrEqual(24);
          for (const b of boxes.slice(i + 1)) {
            const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            expect(overlap, `${d.uid}: panels overlap at ${JSON.stringify(a)} / ${JSON.stringify(b)}`).toBe(false);
          }
        }
      }
    },
  );
});

describe('generated from the catalogue', () => {
  const panels = dashboards.flatMap((d) => d.panels.map((p) => ({ d, p })));
  const statOf = (p: GrafanaPanel) =>
    /kpi\(indicator: "(\w+)"/.exec(p.targets?.[0]?.url_options.body_graphql_query ?? '')?.[1];

  it('titles are Vietnamese with English beside them, for dashboards, rows and panels', () => {
    const VIETNAMESE = /[ăâđêôơưàáạảãấầẩẫậắằẳẵặèéẹẻẽếềểễệìíỉịĩòóọỏõốồổỗộớờởỡợùúụủũứừửữựỳýỵỷỹ]/i;
    for (const t of [...dashboards.map((d) => d.title), ...panels.map(({ p }) => p.title)]) {
      const m = /^(.+?) \((.+)\)$/.exec(t);
      expect(m, t).not.toBeNull();
      expect(m![1], t).toMatch(VIETNAMESE);
      expect(m![2].replace(/"03 không, 03 có"|Hà Nội/g, ''), t).not.toMatch(VIETNAMESE);
    }
  });

  it(
    'each indicator stat is titled, unit-ed and thresholded from its catalogue entry (targets of ratios, none for ' +
      'counts)',
    () => {
      let stats = 0;
      for (const { p } of panels) {
        const code = statOf(p);
        if (!code) continue;
        stats++;
        const i = INDICATORS.find((x) => x.code === code)!;
        expect(p.title).toBe(`${i.nameVi} (${i.nameEn})`);
        const steps = p.fieldConfig!.defaults.thresholds.steps as { value: number | null; color: string }[];
        if (i.kind === 'ratio') {
          expect(p.fieldConfig!.defaults.unit).toBe('percent');
          expect(steps[0]).toEqual({ value: null, color: 'red' });
          expect(steps[1].color).toBe('green');
          // ">=" 95: green from 95; "> 90": green from the next number above 90, not at 90.
          if (i.target.operator === '>=') expect(steps[1].value).toBe(i.target.value);
          else expect(steps[1].value! > i.target.value && steps[1].value! - i.target.value < 1e-9).toBe(true);
        } else {
          expect(p.fieldConfig!.defaults.unit).toBe(`suffix: ${i.unit}`);
          expect(steps).toEqual([{ value: null, color: 'blue' }]);
        }
      }
      expect(stats).toBeGreaterThanOrEqual(30);
    },
  );

  it('no panel holds a hand-written figure: every threshold is a catalogue target', () => {
    const targets = RATIO_INDICATORS.map((i) => i.target.value);
    for (const { d, p } of panels) {
      for (const step of (p.fieldConfig?.defaults.thresholds?.steps ?? []) as { value: number | null }[]) {
        if (step.value === null) continue;
        expect(
          targets.some((t) => Math.abs(t - step.value!) < 1e-9),
          `${d.uid} "${p.title}": threshold ${step.value}`,
        ).toBe(true);
      }
    }
  });

  it(
    "dashboard variables travel as GraphQL variables (body_graphql_variables), the time range as Infinity's " +
      'backend macros; every variable used is defined',
    () => {
      const GRAFANA_VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g;
      for (const d of dashboards) {
        const defined = new Set(d.templating.list.map((v) => v.name));
        const targets = [
          ...d.panels.flatMap((p) => p.targets ?? []),
          ...d.templating.list.filter((v) => v.type === 'query').map((v) => v.query.infinityQuery as GrafanaTarget),
          ...d.annotations.list.flatMap((a) => (a.target ? [a.target] : [])),
        ];
        expect(targets.length).toBeGreaterThan(0);
        for (const t of targets) {
          const { body_graphql_query: query, body_graphql_variables: vars } = t.url_options;
          const where = `${d.uid} ${t.refId}: ${query}`;
          // The query text names no dashboard variable (Grafana would paste its value in) and no frontend-only
          // date format (Infinity's backend formats ${__from:date:…} in UTC): only GraphQL variables and macros.
          const inQuery = [...query.matchAll(GRAFANA_VARIABLE)].map((m) => m[1] ?? m[2]);
          for (const name of inQuery) {
            expect(defined.has(name), `${where} pastes $${name} into the query`).toBe(false);
            expect(['__from', '__to'].includes(name), `${where} formats the range in the browser`).toBe(false);
          }
          expect(inQuery.filter((n) => n.startsWith('__')).every((n) => n === '__timeFrom' || n === '__timeTo')).toBe(
            true,
          );
          // Each GraphQL variable the operation declares is given in body_graphql_variables, from a defined
          // dashboard variable, as JSON (`${name:json}`), and nothing else is given.
          const declared = [...(/^query \(([^)]*)\)/.exec(query)?.[1] ?? '').matchAll(/\$(\w+):/g)].map((m) => m[1]);
          const given = [...vars.matchAll(/"(\w+)": \$\{(\w+):json\}/g)];
          expect(given.map((m) => m[1]).sort(), where).toEqual([...declared].sort());
          for (const [, , from] of given)
            expect(defined.has(from), `${where} fills a variable from $${from}`).toBe(true);
          expect(vars.replace(/\$\{\w+:json\}/g, '"x"'), where).toSatisfy((v: string) => {
            JSON.parse(v);
            return true;
          });
        }
      }
    },
  );

  it(
    'every panel reads the API through the Infinity data source with the backend parser; campaigns annotate the ' +
      'time series',
    () => {
      for (const { d, p } of panels) {
        if (p.type === 'row') continue;
        expect(p.datasource, `${d.uid} ${p.title}`).toEqual({
          type: 'yesoreyeram-infinity-datasource',
          uid: 'pcmbn-api',
        });
        expect(p.targets!.length).toBeGreaterThan(0);
        for (const t of p.targets!)
          expect(t).toMatchObject({
            type: 'graphql',
            source: 'url',
            parser: 'backend',
            url_options: { method: 'POST', body_type: 'graphql' },
          });
      }
      for (const d of dashboards) {
        const hasTimeseries = d.panels.some((p) => p.type === 'timeseries');
        expect(
          d.annotations.list.some((a) => a.target?.url_options.body_graphql_query.includes('campaigns(')),
          d.uid,
        ).toBe(hasTimeseries);
      }
    },
  );
});
