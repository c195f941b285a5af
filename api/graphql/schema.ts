/**
 * The GraphQL schema, built once per process from the resolver classes (api/graphql/resolvers/index.ts) by
 * type-graphql. Under tsx/esbuild there is no decorator metadata: every @Field, @Arg and @Query names its type.
 */
import 'reflect-metadata';
import { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { RESOLVERS } from './resolvers/index.ts';
import { IndicatorCodeEnum } from './types/catalogue.ts';

let built: Promise<GraphQLSchema> | null = null;

export function buildApiSchema(): Promise<GraphQLSchema> {
  built ??= (async () => {
    const schema = await buildSchema({ resolvers: RESOLVERS, validate: false });
    // IndicatorCode is not used by any argument (they are Strings): add it so introspection lists the codes.
    const config = schema.toConfig();
    return new GraphQLSchema({ ...config, types: [...config.types, IndicatorCodeEnum] });
  })();
  built.catch(() => (built = null));
  return built;
}
