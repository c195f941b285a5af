import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for type-graphql, Apollo and our code, or schema objects collide across realms.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    // `npm run test:soak` (PCMBN_SOAK=1) runs the suites that need minutes (kill -9 at many points, …);
    // `npm test` the rest.
    reporters: ['default', './test/skipped-reporter.ts'],
    include: process.env.PCMBN_SOAK ? ['test/soak/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: process.env.PCMBN_SOAK ? [] : ['test/soak/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
