/**
 * The small-cell suppression pattern, as a pure function of figures: which of a year's published victims figures a
 * viewer gets. Computed at load time beside the roll-up (etl/marts/suppression.ts) and looked up by the API
 * (api/aggregate/withheld.ts), so that the pattern a viewer sees is fixed by the load, not by the request.
 *
 * Counts of victims from 0 to k − 1 (k = 11 by default, as the international Counter Trafficking Data Collaborative
 * publishes; `PCMBN_SUPPRESSION_K` overrides) are withheld; 0 too, since a shown 0 would tell that every withheld
 * figure is at least 1.
 *
 * Primary and complementary suppression with protection intervals, in the manner of τ-ARGUS and sdcTable: for a
 * count and a year, the tree VN → today's provinces → the old provinces they were made of (before the reform). A
 * figure from 0 to k − 1 is withheld (0 too: were zeros shown, each withheld figure would be known to be at least
 * 1, and a withheld total over n withheld parts at least n). Complements are then chosen so that every withheld
 * figure of 0 to k − 1 can be anything from 0 to at least k − 1 given all that is shown (`shownIn` says why).
 *
 * The pattern depends only on which figures are from 0 to k − 1 and on which sums hold, never on the other values:
 * a load that revises figures without moving one across k changes no status, so two snapshots show the same
 * figures withheld.
 */
import { type CountIndicator, type Indicator, INDICATORS } from '../../schema/catalogue.ts';

export const SUPPRESSION_K = Number(process.env.PCMBN_SUPPRESSION_K ?? 11);

const SENSITIVE = /^victims_/;

/** Whether values of this indicator are subject to suppression at all. */
export function isSensitive(indicator: Indicator): boolean {
  return indicator.kind === 'count'
    ? SENSITIVE.test(indicator.code)
    : SENSITIVE.test(indicator.numerator) || SENSITIVE.test(indicator.denominator);
}

/** Primary suppression: a count withheld for its own value. */
export function isSmall(count: number): boolean {
  return count < SUPPRESSION_K;
}

/** The counts the pattern covers: a ratio is withheld when one of these it is built on is. */
export const SENSITIVE_COUNTS = INDICATORS.filter((i): i is CountIndicator => i.kind === 'count' && isSensitive(i));

/** The published table of a year, by unit id. */
export interface PublishedTable {
  /** VN. */
  root: number;
  /** Today's provinces, in code order. */
  provinces: number[];
  /** Before the reform: the old provinces each of today's was made of, in code order (empty after it). */
  parts: Map<number, number[]>;
}

/** A figure of the published table; `units` are the units showing it (a province the reform left whole is two). */
interface Node {
  units: number[];
  value: number;
  children: Node[];
  parent: Node | null;
  primary: boolean;
  withheld: boolean;
}

/**
 * The units whose figure of one count for one year is shown, given each unit's figure (`value`; a figure not in the
 * roll-up is 0, and withheld like one).
 */
export function shownUnits(table: PublishedTable, value: (unitId: number) => number): Set<number> {
  return shownIn(treeOf(table, value));
}

/**
 * The tree of one count's figures for a year, under a root unknown to everyone. VN's own figure, when it disagrees
 * with its provinces', is no relation: the provinces hang from the unknown root. When one of today's provinces
 * disagrees with the old provinces it was made of, the two lists no longer nest: the old provinces are left out of
 * the tree, all withheld (each is then anything from 0 to VN's figure, whatever is shown).
 */
function treeOf(table: PublishedTable, value: (unitId: number) => number): Node {
  const node = (units: number[], v: number, parent: Node): Node => {
    const primary = isSmall(v);
    const n: Node = { units, value: v, children: [], parent, primary, withheld: primary };
    parent.children.push(n);
    return n;
  };
  const top: Node = { units: [], value: NaN, children: [], parent: null, primary: false, withheld: true };
  const vn = node([table.root], value(table.root), top);
  const sum = (units: number[]) => units.reduce((s, u) => s + value(u), 0);
  const provincesUnder = sum(table.provinces) === vn.value ? vn : top;
  const nested = table.provinces.every((p) => {
    const parts = table.parts.get(p) ?? [];
    return !parts.length || sum(parts) === value(p);
  });
  for (const p of table.provinces) {
    const parts = nested ? (table.parts.get(p) ?? []) : [];
    // A province the reform left whole is one figure under two codes.
    const n = node(parts.length === 1 ? [p, parts[0]] : [p], value(p), provincesUnder);
    if (parts.length > 1) for (const o of parts) node([o], value(o), n);
  }
  return top;
}

/**
 * Complementary suppression on the tree, until nothing changes; the shown units. Why it protects: take a withheld
 * figure x from 0 to k − 1 and climb from it through withheld figures. Two rules hold when done:
 *  - every withheld figure with parts has a withheld part: a rise can always be passed down to a leaf;
 *  - the climb reaches the unknown root, or a figure a (x itself, or one above it) with a withheld sibling s that
 *    is `sound`: a leaf of k or more, or a figure with a sound withheld part, so that s can fall by k − 1 (the fall
 *    passed down to that leaf).
 * Then x can fall to 0 (its parts are all from 0 to k − 1, so all withheld, and fall with it; each figure from x up
 * to a falls as much; s rises), or rise by k − 1 (its parts pass the rise down; the figures up to a rise; s falls):
 * every value from 0 to k − 1 fits everything shown. Choices go in code order, never by value, so that the pattern
 * depends only on which figures are small.
 */
function shownIn(top: Node): Set<number> {
  const nodes: Node[] = [];
  const walk = (n: Node) => (nodes.push(n), n.children.forEach(walk));
  walk(top);
  const sound = (n: Node): boolean => (n.children.length ? n.children.some((c) => c.withheld && sound(c)) : !n.primary);
  /** Withholds n and, when n is not sound yet, a shown part of it (a shown figure is k or more), and so on down. */
  const withhold = (n: Node) => {
    n.withheld = true;
    if (sound(n)) return;
    const part = n.children.find((c) => !c.withheld);
    if (part) withhold(part);
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const n of nodes) {
      if (n === top || !n.withheld) continue;
      if (n.children.length && !n.children.some((c) => c.withheld)) {
        withhold(n.children[0]);
        changed = true;
      }
      if (!n.primary) continue;
      // Up through withheld figures to the first with a sound withheld sibling, or to the unknown root.
      const balanced = (a: Node) => a.parent!.children.some((s) => s !== a && s.withheld && sound(s));
      let a = n;
      while (a.parent !== top && !balanced(a) && a.parent!.withheld) a = a.parent!;
      if (a.parent === top || balanced(a)) continue;
      const siblings = a.parent!.children.filter((s) => s !== a);
      // A shown sibling, else a withheld one made sound through a shown part, else the parent.
      const pick =
        siblings.find((s) => !s.withheld) ??
        siblings.find((s) => !sound(s) && s.children.some((c) => !c.withheld)) ??
        a.parent!;
      withhold(pick);
      changed = true;
    }
  }
  return new Set(nodes.filter((n) => !n.withheld).flatMap((n) => n.units));
}
