/**
 * A file must say why a cell is empty: wherever the query selects fields of a type that has `suppressed` but does
 * not ask for it, the export asks for it too, so a withheld figure is an empty cell beside `suppressed` = true
 * whatever the query. Only the answer's shape changes: the key, its scope and its limits apply as before.
 */
import {
  type FieldNode,
  type GraphQLSchema,
  isObjectType,
  Kind,
  parse,
  print,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { MAX_TOKENS } from '../graphql/limits.ts';

const FLAG = 'suppressed';

const SUPPRESSED_FIELD: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: FLAG } };

/** The query with `suppressed` added where it is missing; the query as given when it does not parse (Apollo says why). */
export function withSuppressedFlags(schema: GraphQLSchema, query: unknown): unknown {
  if (typeof query !== 'string') return query;
  let doc;
  try {
    doc = parse(query, { maxTokens: MAX_TOKENS });
  } catch {
    return query;
  }
  const types = new TypeInfo(schema);
  let added = false;
  const out = visit(
    doc,
    visitWithTypeInfo(types, {
      SelectionSet(node: SelectionSetNode) {
        const type = types.getParentType();
        if (!isObjectType(type) || !type.getFields()[FLAG]) return undefined;
        const asked = node.selections.some((s) => s.kind === Kind.FIELD && (s.alias?.value ?? s.name.value) === FLAG);
        if (asked) return undefined;
        added = true;
        return { ...node, selections: [...node.selections, SUPPRESSED_FIELD] };
      },
    }),
  );
  return added ? print(out) : query;
}
