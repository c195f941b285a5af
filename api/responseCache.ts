/**
 * The whole-response cache: a GraphQL query's answer by what asked for it, keyed as Apollo's
 * `@apollo/server-plugin-response-cache` keys it (query text, operation name, variables) plus who asked (role and
 * scope unit: a viewer's answer has figures withheld, a province key sees less than VN's). Dashboards repeat the same
 * requests for every leader who opens them; a hit is answered after parsing (Apollo keeps parsed documents), without
 * executing anything. The per-field result cache (api/cache.ts) stays for what differs between requests.
 *
 * Like the result cache it is valid until the next load changes the data: the server empties it with each load's
 * commit, and an answer computed before an emptying is not kept after it. Only whole successes are kept (an error,
 * a TIMEOUT above all, is answered again next time). Bounded by the bytes of the answers it holds.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { Principal } from './context.ts';
import { type CacheStats, resultBytes } from './cache.ts';

export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

/** What an answer depends on: the request as Apollo's response-cache plugin keys it, and who asks. */
function keyFor(query: unknown, operationName: unknown, variables: unknown, who: Principal): string {
  return createHash('sha256')
    .update(JSON.stringify([query ?? null, operationName ?? null, variables ?? {}, who.role, who.unitId]))
    .digest('base64');
}

interface Held {
  data: Record<string, unknown>;
  at: number;
}

export class ResponseCache {
  private readonly answers: LRUCache<string, Held>;
  /** Grows at each clear: an answer begun before it is not kept. */
  private generation = 0;

  constructor(
    readonly maxBytes = DEFAULT_RESPONSE_CACHE_BYTES,
    private readonly stats?: CacheStats,
  ) {
    // An answer larger than the whole cache is sent and not kept.
    this.answers = new LRUCache({ maxSize: Math.max(1, maxBytes), sizeCalculation: (h) => resultBytes(h.data) });
  }

  get bytes(): number {
    return this.answers.calculatedSize;
  }

  clear(): void {
    this.generation++;
    this.answers.clear();
  }

  /**
   * Answers a repeated POST before Apollo runs at all (no parsing, no plugins): a held answer was given to the same
   * text, variables, role and scope, so it passed the same validation and limits. A miss goes on to Apollo, whose
   * plugin counts it and keeps the answer. GETs go through Apollo (and its CSRF checks) every time.
   */
  middleware(principalOf: (res: Response) => Principal | undefined): RequestHandler {
    return (req, res, next) => {
      const body = req.body as { query?: unknown; operationName?: unknown; variables?: unknown } | undefined;
      const principal = principalOf(res);
      if (req.method !== 'POST' || typeof body?.query !== 'string' || !principal) return next();
      const held = this.answers.get(keyFor(body.query, body.operationName, body.variables, principal));
      if (!held) return next();
      this.stats?.hit();
      res.set('age', String(Math.floor((Date.now() - held.at) / 1000))).json({ data: held.data });
    };
  }

  /** The plugin answering from the cache; `principalOf` tells who asked from the request's context. */
  plugin<T extends object>(principalOf: (context: T) => Principal): ApolloServerPlugin<T> {
    const keyOf = (rc: GraphQLRequestContext<T>) =>
      keyFor(rc.request.query, rc.request.operationName, rc.request.variables, principalOf(rc.contextValue));
    return {
      requestDidStart: async () => {
        const generation = this.generation;
        let key: string | null = null;
        let hit = false;
        return {
          responseForOperation: async (rc) => {
            // Mutations and subscriptions change or stream: only queries are answers to keep.
            if (rc.operation.operation !== 'query') return null;
            key = keyOf(rc);
            const held = this.answers.get(key);
            if (!held) {
              this.stats?.miss();
              return null;
            }
            this.stats?.hit();
            hit = true;
            const http = rc.response.http;
            http.headers.set('age', String(Math.floor((Date.now() - held.at) / 1000)));
            return { http, body: { kind: 'single', singleResult: { data: held.data } } };
          },
          willSendResponse: async (rc) => {
            const body = rc.response.body;
            if (key === null || hit || generation !== this.generation || body.kind !== 'single') return;
            const { data, errors } = body.singleResult;
            if (errors?.length || !data) return;
            this.answers.set(key, { data, at: Date.now() });
          },
        };
      },
    };
  }
}
