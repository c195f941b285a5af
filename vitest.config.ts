import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * The end-to-end suites that take half a minute or more each (whole servers under load, child processes killed,
 * every format and variant of a report, the benchmark harness): `npm run test:e2e`. Everything else is the quick
 * loop, `npm test`. The soak suites (minutes each) are `npm run test:soak`. `.ci/run` runs all three.
 */
const E2E = [
  'test/api/abuse.test.ts',
  'test/api/auth.test.ts',
  'test/api/compiled-cli.test.ts',
  'test/api/concurrency.test.ts',
  'test/api/report.test.ts',
  'test/api/server.test.ts',
  'test/api/suppression-combined.test.ts',
  'test/api/suppression-deduction.test.ts',
  'test/api/suppression-lookup.test.ts',
  'test/api/template.test.ts',
  'test/bench/bench.test.ts',
  'test/dashboards/build.test.ts',
  'test/dashboards/downloads.test.ts',
  'test/dashboards/page-roles.test.ts',
  'test/dashboards/page.test.ts',
  'test/dashboards/panels.test.ts',
  'test/dashboards/push.test.ts',
  'test/dashboards/workbench.test.ts',
  'test/docs/readme-examples.test.ts',
  'test/etl/cli.test.ts',
  'test/etl/extract-load.test.ts',
  'test/etl/faults.test.ts',
  'test/etl/inbox-large.test.ts',
  'test/etl/inbox-worker.test.ts',
  'test/etl/load-formats.test.ts',
  'test/etl/load-variants.test.ts',
  'test/etl/long-lines.test.ts',
  'test/etl/overlap.test.ts',
  'test/etl/sample.test.ts',
  'test/etl/sigterm.test.ts',
  'test/schema/backup.test.ts',
];
const SOAK = ['test/soak/**/*.test.ts'];

export default defineConfig({
  resolve: {
    // One copy of graphql for type-graphql, Apollo and our code, or schema objects collide across realms.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    reporters: ['default', './test/skipped-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'quick', include: ['test/**/*.test.ts'], exclude: [...E2E, ...SOAK] } },
      { extends: true, test: { name: 'e2e', include: E2E } },
      { extends: true, test: { name: 'soak', include: SOAK } },
    ],
  },
});
