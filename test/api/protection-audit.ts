/**
 * What an attacker can work out from what a viewer sees, by integer programming (HiGHS): every withheld figure is an
 * unknown whole number, at least `least` (1 when zeros are shown, so that a withheld figure is known not to be 0),
 * every relation that holds between the true figures (a total = the sum of its parts) is a constraint, every shown
 * figure a constant. For each withheld figure from 1 to 10: can it be 1 or less, and 10 or more? Protected when both.
 *
 * Solving twice per figure would take minutes on a few thousand figures, so witnesses are found in batches first:
 * one solve maximising Σ min(x, 10) over the figures not yet seen at 10 or more (each that reaches 10 in that
 * solution can), one minimising their sum for the other end; the few left are solved one by one.
 */
import * as highsModule from 'highs';
import type { Highs } from 'highs';

export interface Relation {
  total: string;
  parts: string[];
}

export interface Range {
  id: string;
  truth: number;
  /** The smallest value found possible, or ≤ 1 when a solution with 1 or less was found. */
  min: number;
  /** The largest value found possible, or ≥ 10 when a solution with 10 or more was found. */
  max: number;
}

// The package's types describe CommonJS; its ES module build exports the loader as the default.
const highs = await (highsModule.default as unknown as () => Promise<Highs>)();
/** A bound above every count, so that a figure nothing bounds reads as this rather than as an unbounded model. */
const CEILING = 1_000_000;
const TOP = 10;
const BOTTOM = 1;

export function ranges(
  relations: Relation[],
  shown: Map<string, number>,
  withheld: Set<string>,
  truth: Map<string, number>,
  least: number,
): Range[] {
  const name = new Map([...withheld].map((id, i) => [id, `x${i}`]));
  const value = (id: string) => truth.get(id) ?? 0;
  const rows: string[] = [];
  for (const r of relations) {
    if (value(r.total) !== r.parts.reduce((sum, p) => sum + value(p), 0)) continue;
    const coef = new Map<string, number>();
    let constant = 0;
    const put = (id: string, k: number) => {
      const x = name.get(id);
      if (x) coef.set(x, (coef.get(x) ?? 0) + k);
      else constant += k * (shown.get(id) ?? 0);
    };
    put(r.total, 1);
    for (const p of r.parts) put(p, -1);
    const terms = [...coef].filter(([, k]) => k !== 0);
    if (!terms.length) continue;
    rows.push(
      ` r${rows.length}: ${terms.map(([x, k]) => `${k < 0 ? '-' : '+'} ${Math.abs(k)} ${x}`).join(' ')} = ${-constant}`,
    );
  }
  const vars = [...name.values()];
  const solve = (objective: string, extra: string[] = [], extraBounds: string[] = []) => {
    const s = highs.solve(
      `${objective}\nSubject To\n${[...rows, ...extra].join('\n') || ' r0: x0 >= 0'}\nBounds\n` +
        `${vars.map((x) => ` ${least} <= ${x} <= ${CEILING}`).join('\n')}\n${extraBounds.join('\n')}\nGeneral\n ${vars.join(' ')}\nEnd\n`,
    );
    if (s.Status !== 'Optimal') throw new Error(`the attacker's model is ${s.Status}`);
    return s;
  };
  const primal = (s: ReturnType<typeof solve>, x: string) => Math.round((s.Columns as any)[x]?.Primal ?? least);

  const targets = [...name].filter(([id]) => value(id) >= 1 && value(id) <= TOP);
  const found = new Map(targets.map(([id]) => [id, { min: NaN, max: NaN }]));
  // Batches: witnesses for many figures at once, until a batch finds none.
  for (let open = targets; open.length;) {
    const s = solve(
      `Maximize\n obj: ${open.map(([, x]) => `+ y${x}`).join(' ')}`,
      open.map(([, x]) => ` c${x}: y${x} - ${x} <= 0`),
      open.map(([, x]) => ` 0 <= y${x} <= ${TOP}`),
    );
    const reached = open.filter(([, x]) => primal(s, x) >= TOP);
    for (const [id, x] of reached) found.get(id)!.max = primal(s, x);
    if (!reached.length) break;
    open = open.filter(([, x]) => primal(s, x) < TOP);
  }
  for (let open = targets; open.length;) {
    const s = solve(`Minimize\n obj: ${open.map(([, x]) => `+ ${x}`).join(' ')}`);
    const reached = open.filter(([, x]) => primal(s, x) <= BOTTOM);
    for (const [id, x] of reached) found.get(id)!.min = primal(s, x);
    if (!reached.length) break;
    open = open.filter(([, x]) => primal(s, x) > BOTTOM);
  }
  // The rest one by one: their exact bounds.
  for (const [id, x] of targets) {
    const f = found.get(id)!;
    if (Number.isNaN(f.max)) f.max = solve(`Maximize\n obj: ${x}`).ObjectiveValue;
    if (Number.isNaN(f.min)) f.min = solve(`Minimize\n obj: ${x}`).ObjectiveValue;
  }
  return targets.map(([id]) => ({ id, truth: value(id), ...found.get(id)! }));
}

/** The ranges narrower than 1 to 10, described. */
export function narrower(rs: Range[]): string[] {
  return rs.filter((r) => r.min > BOTTOM || r.max < TOP).map((r) => `${r.id} = ${r.truth}: ${r.min}…${r.max}`);
}
