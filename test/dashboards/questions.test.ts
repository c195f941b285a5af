/**
 * The workbench's saved questions: every example of the README's "Asking for figures" and every query of the
 * dashboards is there, and each is a valid query of the API's schema as it stands (variables filled in).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../api/graphql/schema.ts';
import { allPanels, DASHBOARDS } from '../../dashboards/spec.ts';
import { dashboardQuestions, readmeQuestions } from '../../dashboards/workbench/questions.ts';
import { projectRoot } from '../api/client.ts';

const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

describe('saved questions', () => {
  it("the README's examples, each titled by its comment, all valid against the schema", async () => {
    const schema = await buildApiSchema();
    const questions = readmeQuestions(readme);
    const fields = questions.map((q) => /\{\s*(\w+)/.exec(q.query.split('\n').slice(1).join('\n'))![1]);
    expect(fields).toEqual(['kpis', 'trend', 'breakdown', 'kpi', 'reportingCompliance', 'discrepancies', 'campaigns']);
    expect(questions[1].title).toMatch(/^Monthly trend across the reform/);
    expect(questions[3].title).toMatch(/^kpi · Victims by sex/);
    for (const q of questions) expect(validate(schema, parse(q.query)), q.title).toEqual([]);
  });

  it("every dashboard query, with example values for the dashboards' variables, valid against the schema", async () => {
    const schema = await buildApiSchema();
    const questions = dashboardQuestions('en', new Date('2026-03-15T00:00:00Z'));
    const distinct = new Set(DASHBOARDS.flatMap((d) => allPanels(d).flatMap((p) => p.queries.map((q) => q.graphql))));
    // The same query under a nation's and a province's dashboard is two questions (their units differ).
    expect(questions.length).toBeGreaterThanOrEqual(distinct.size);
    for (const d of DASHBOARDS)
      expect(
        questions.some((q) => q.title.startsWith(`${d.title.en} · `)),
        d.uid,
      ).toBe(true);
    for (const q of questions) {
      const doc = parse(q.query);
      expect(validate(schema, doc), q.title).toEqual([]);
      // Every GraphQL variable the query declares has its example value; nothing else is left to fill in.
      const declared = doc.definitions.flatMap((d) =>
        d.kind === 'OperationDefinition' ? (d.variableDefinitions ?? []).map((v) => v.variable.name.value) : [],
      );
      const given = q.variables ? Object.keys(JSON.parse(q.variables) as object) : [];
      expect(given.sort(), q.title).toEqual([...declared].sort());
      const rest = declared.reduce((text, name) => text.replaceAll(`$${name}`, ''), q.query);
      expect(rest, q.title).not.toMatch(/\$/);
    }
  });

  it('a README without the section or its block is an error naming what is missing', () => {
    expect(() => readmeQuestions('# x\n')).toThrow(/README.md: no "## Asking for figures" section/);
    expect(() => readmeQuestions('## Asking for figures\ntext\n')).toThrow(/no ```graphql block/);
  });
});
