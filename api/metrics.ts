/**
 * Prometheus metrics, served at `GET /metrics`: GraphQL requests (count and latency by operation name and
 * outcome), requests refused before GraphQL (401, 400, 413), the result and response caches, ETL loads, and Node's defaults.
 * One registry per process; every server of the process reports into it.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { type LoadResult, runStatus } from '../etl/load.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'pcmbn_' });

const requests = new Counter({
  name: 'pcmbn_graphql_requests_total',
  help: 'GraphQL requests by operation name and outcome (ok, or error when the response carries errors)',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

const latency = new Histogram({
  name: 'pcmbn_graphql_request_duration_seconds',
  help: 'GraphQL request latency by operation name, from receipt to response',
  labelNames: ['operation'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const refused = new Counter({
  name: 'pcmbn_http_refused_total',
  help: 'HTTP requests refused before GraphQL ran, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

const cacheLookups = new Counter({
  name: 'pcmbn_result_cache_lookups_total',
  help: 'Result cache look-ups by result (hit or miss)',
  labelNames: ['result'] as const,
  registers: [registry],
});

const responseCacheLookups = new Counter({
  name: 'pcmbn_response_cache_lookups_total',
  help: 'Whole-response cache look-ups by result (hit: answered without executing GraphQL, or miss)',
  labelNames: ['result'] as const,
  registers: [registry],
});

const etlRuns = new Counter({
  name: 'pcmbn_etl_runs_total',
  help: 'ETL loads run by this process, by status (succeeded, partial: some file rejected, or failed)',
  labelNames: ['status'] as const,
  registers: [registry],
});

const etlFiles = new Counter({
  name: 'pcmbn_etl_files_total',
  help: 'Report files seen by ETL loads, by outcome (loaded, unchanged, rejected)',
  labelNames: ['status'] as const,
  registers: [registry],
});

const etlRows = new Counter({
  name: 'pcmbn_etl_rows_loaded_total',
  help: 'Rows loaded into the warehouse by ETL loads',
  registers: [registry],
});

/** The hook for loads: call it with each load's result, or with the error of a load that failed. */
export function recordLoad(result: LoadResult | null, error?: Error): void {
  if (error) {
    etlRuns.inc({ status: 'failed' });
    return;
  }
  if (!result) return; // an empty inbox: nothing ran
  etlRuns.inc({ status: runStatus(result) });
  for (const status of ['loaded', 'unchanged', 'rejected'] as const) {
    if (result[status]) etlFiles.inc({ status }, result[status]);
  }
  if (result.rows) etlRows.inc(result.rows);
}

export function recordRefusal(
  reason: 'unauthenticated' | 'batched' | 'bad_body' | 'too_large' | 'long_string' | 'answer_too_large',
): void {
  refused.inc({ reason });
}

export const cacheStats = {
  hit: () => cacheLookups.inc({ result: 'hit' }),
  miss: () => cacheLookups.inc({ result: 'miss' }),
};

export const responseCacheStats = {
  hit: () => responseCacheLookups.inc({ result: 'hit' }),
  miss: () => responseCacheLookups.inc({ result: 'miss' }),
};

/**
 * Operation names are chosen by clients: keep label values bounded. Names that are not GraphQL names become
 * `invalid`, and past MAX_OPERATION_LABELS distinct names, new ones count as `other`.
 */
const MAX_OPERATION_LABELS = 200;
const seen = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return 'invalid';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATION_LABELS) return 'other';
  seen.add(name);
  return name;
}

/** The name of a document's only operation: a request that failed validation still has one. */
function nameInDocument(document: DocumentNode | undefined): string | undefined {
  const ops = document?.definitions.filter((d) => d.kind === 'OperationDefinition') ?? [];
  return ops.length === 1 && ops[0].kind === 'OperationDefinition' ? ops[0].name?.value : undefined;
}

/** Counts and times each GraphQL request, labelled by its operation name. */
export function metricsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const operation = operationLabel(rc.operationName ?? rc.request.operationName ?? nameInDocument(rc.document));
          const body = rc.response.body;
          const failed =
            Boolean(rc.errors?.length) || (body.kind === 'single' && Boolean(body.singleResult.errors?.length));
          requests.inc({ operation, outcome: failed ? 'error' : 'ok' });
          latency.observe({ operation }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
