/**
 * A request past its deadline is answered TIMEOUT and its SQL is interrupted (api/graphql/limits.ts): the DuckDB
 * statement ends with DuckDB's INTERRUPT error instead of running on, and the connection serves the next request.
 * The slow statement comes from a test-only schema: the API's own resolvers are never slow on purpose.
 */
import { sql } from 'kysely';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../api/request.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, freshWarehouse } from '../helpers.ts';
import { codes, gql } from './client.ts';

let w: Warehouse;
let server: RunningServer;
/** How each slow statement ended: its error message, or 'finished'. */
const ended: Promise<string>[] = [];

function schema(): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, RequestContext>({
      name: 'Query',
      fields: {
        // Minutes of work on two cores: hashing ten billion numbers.
        slow: {
          type: GraphQLString,
          resolve: (_s, _a, ctx) => {
            const statement = sql<{ n: number }>`SELECT sum(hash(i))::VARCHAR AS n FROM range(10000000000) t(i)`
              .execute(ctx.warehouse.db)
              .then((r) => String(r.rows[0].n));
            ended.push(
              statement.then(
                () => 'finished',
                (e: Error) => e.message,
              ),
            );
            return statement;
          },
        },
        count: {
          type: GraphQLString,
          resolve: async (_s, _a, ctx) =>
            String((await sql<{ n: number }>`SELECT count(*) AS n FROM units`.execute(ctx.warehouse.db)).rows[0].n),
        },
      },
    }),
  });
}

beforeAll(async () => {
  w = await freshWarehouse();
  server = await startServer({ warehouse: w, port: 0, anonymous: 'viewer', schema: schema(), queryTimeoutMs: 300 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe('a request past its deadline', () => {
  it('is answered TIMEOUT and its statement is interrupted, not left running', async () => {
    const r = await gql(server.url, '{ slow }');
    expect(r.body.data).toEqual({ slow: null });
    expect(codes(r)).toEqual(['TIMEOUT']);
    expect(ended).toHaveLength(1);
    expect(await ended[0]).toMatch(/INTERRUPT/i);
  });

  it('leaves the connections free: the next requests are answered', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await gql(server.url, '{ count }');
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data).toEqual({ count: '14162' });
    }
    // Another slow one is interrupted again: the first interrupt left nothing behind.
    expect(codes(await gql(server.url, '{ slow }'))).toEqual(['TIMEOUT']);
    expect(await ended[1]).toMatch(/INTERRUPT/i);
  });
});
