/**
 * What an attacker can work out from what a viewer sees, by integer programming (HiGHS): every withheld figure is an
 * unknown whole number, at least `least` (1 when zeros are shown, so that a withheld figure is known not to be 0),
 * every relation that holds between the figures (a total = the sum of its parts) is a constraint, every shown figure
 * a constant. For each withheld figure from 1 to 10, its smallest and largest possible value: protected when that
 * range covers the whole protected range, 1 to 10.
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
  min: number;
  max: number;
}

// The package's types describe CommonJS; its ES module build exports the loader as the default.
const highs = await (highsModule.default as unknown as () => Promise<Highs>)();
/** A bound above every count, so that a figure nothing bounds reads as this rather than as an unbounded model. */
const CEILING = 1_000_000;

/** Relations among figures (those that do not hold in the true figures are left out): shown ones (`shown`, id → value) and withheld ones. */
export function ranges(
  relations: Relation[],
  shown: Map<string, number>,
  withheld: Set<string>,
  truth: Map<string, number>,
  least: number,
): Range[] {
  const name = new Map([...withheld].map((id, i) => [id, `x${i}`]));
  const rows: string[] = [];
  const value = (id: string) => truth.get(id) ?? 0;
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
  const body = `Subject To\n${rows.join('\n') || ' r0: x0 >= 0'}\nBounds\n${vars.map((x) => ` ${least} <= ${x} <= ${CEILING}`).join('\n')}\nGeneral\n ${vars.join(' ')}\nEnd\n`;
  const solve = (sense: 'Minimize' | 'Maximize', x: string): number => {
    const s = highs.solve(`${sense}\n obj: ${x}\n${body}`);
    if (s.Status !== 'Optimal') throw new Error(`the attacker's model is ${s.Status}: the relations do not hold`);
    return s.ObjectiveValue;
  };
  const out: Range[] = [];
  for (const [id, x] of name) {
    const t = truth.get(id) ?? 0;
    if (t < 1 || t > 10) continue;
    out.push({ id, truth: t, min: solve('Minimize', x), max: solve('Maximize', x) });
  }
  return out;
}

/** The ranges narrower than 1 to 10, described. */
export function narrower(rs: Range[]): string[] {
  return rs.filter((r) => r.min > 1 || r.max < 10).map((r) => `${r.id} = ${r.truth}: ${r.min}…${r.max}`);
}
