/**
 * `pcmbn dashboards build` and `pcmbn dashboards push`: Grafana files from the dashboards spec, and a push to a
 * running Grafana through its HTTP API. Failures talking to Grafana exit 1 with the client's message; misuse exits 2.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { GrafanaError } from './grafana-client.ts';
import {
  API_KEY_ENV,
  API_URL_ENV,
  BuildError,
  buildProvisioning,
  checkProvisioning,
  DEFAULT_API_URL,
  DEFAULT_OUT_DIR,
} from './provisioning.ts';
import { pushDashboards } from './push.ts';

/** Misuse: the message on stderr, exit 2 (as every pcmbn command). */
function misuse(message: string): void {
  console.error(`pcmbn: ${message}`);
  process.exitCode = 2;
}

/** Runs fn; a BuildError (a bad option) is misuse. */
function usage<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BuildError) return void misuse(e.message);
    throw e;
  }
}

export function registerDashboardCommands(program: Command): void {
  const dashboards = program
    .command('dashboards')
    .description(
      'Grafana dashboards generated from the indicator catalogue: build the provisioning files, or push to a Grafana',
    );

  dashboards
    .command('build')
    .description(
      `write the dashboard JSON and Grafana provisioning files (same input, same bytes) under ` +
        `${relative(process.cwd(), DEFAULT_OUT_DIR) || '.'}`,
    )
    .option('--out <dir>', 'where to write them', DEFAULT_OUT_DIR)
    .option('--check', 'write nothing; exit 1 when the files differ from what build would write')
    .action((o: { out: string; check?: boolean }) => {
      if (o.check) {
        const stale = usage(() => checkProvisioning(o.out));
        if (!stale) return;
        if (stale.length) {
          console.error(
            `pcmbn: ${stale.length} file(s) out of date under ${o.out}: ${stale.join(', ')}; run \`pcmbn dashboards ` +
              `build\``,
          );
          process.exitCode = 1;
        } else {
          console.log(`up to date: ${o.out}`);
        }
        return;
      }
      const r = usage(() => buildProvisioning(o.out));
      if (!r) return;
      const out = relative(process.cwd(), o.out) || '.';
      for (const f of r.written) console.log(`wrote    ${f}`);
      for (const f of r.removed) console.log(`removed  ${f}`);
      console.log(
        `${r.written.length} written, ${r.unchanged.length} unchanged, ${r.removed.length} removed under ${out}`,
      );
      console.log(
        `mount ${out} as /etc/grafana/provisioning; Grafana reads the API's address from $${API_URL_ENV} and its ` +
          `key from $${API_KEY_ENV}`,
      );
    });

  dashboards
    .command('push')
    .description(
      'create or update the folder, the data source and the dashboards in a Grafana through its HTTP API (idempotent)',
    )
    .requiredOption('--grafana <url>', "Grafana's address, e.g. http://127.0.0.1:3000")
    .option('--token <token>', 'a Grafana service account token (or GRAFANA_TOKEN)')
    .option('--folder <title>', 'the folder title (its uid stays pcmbn)')
    .option('--api-url <url>', 'the API as Grafana reaches it (the data source URL)', DEFAULT_API_URL)
    .option('--api-key <key>', `an API key for the data source (or ${API_KEY_ENV})`)
    .option('--timeout <seconds>', 'per request', '15')
    .action(
      async (o: {
        grafana: string;
        token?: string;
        folder?: string;
        apiUrl: string;
        apiKey?: string;
        timeout: string;
      }) => {
        const token = o.token ?? process.env.GRAFANA_TOKEN;
        if (!token) return misuse('no Grafana token: pass --token <service account token> or set GRAFANA_TOKEN');
        const timeout = Number(o.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0)
          return misuse(`--timeout "${o.timeout}": expected a number of seconds`);
        try {
          const r = await pushDashboards({
            grafanaUrl: o.grafana,
            token,
            folder: o.folder,
            apiUrl: o.apiUrl,
            apiKey: o.apiKey ?? (process.env[API_KEY_ENV] || undefined),
            timeoutMs: timeout * 1000,
            log: (line) => console.log(line),
          });
          const changed = r.dashboards.filter((d) => d.outcome !== 'unchanged').length;
          console.log(
            `pushed to Grafana ${r.grafanaVersion}: ${r.dashboards.length} dashboards (${changed} created or ` +
              `updated), folder ${r.folder.outcome}, data source ${r.datasource.outcome}`,
          );
        } catch (e) {
          if (e instanceof GrafanaError) {
            console.error(`pcmbn: ${e.message}`);
            process.exitCode = e.kind === 'bad-request' && e.status === undefined ? 2 : 1;
            return;
          }
          if (e instanceof BuildError) return misuse(e.message);
          throw e;
        }
      },
    );
}
