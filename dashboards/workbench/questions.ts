/**
 * The workbench's saved questions: the README's example queries (read from the README when the bundle is built, so
 * the README stays their only home) and every query the dashboards run (from dashboards/spec.ts), with example
 * values in place of the dashboards' variables so that each runs as it stands.
 *
 * Browser-safe: no Node imports here (api/pages/workbench.ts reads the README and hands its text to
 * `readmeQuestions`).
 */
import { allPanels, DASHBOARDS, HISTORY_START, interpolate, type Label, pick, type Lang } from '../spec.ts';

export interface Question {
  title: string;
  /** The GraphQL document, headed by its title as a comment. */
  query: string;
  /** Its GraphQL variables as JSON text, for the variables editor (the dashboards' queries take theirs so). */
  variables?: string;
}

export interface QuestionGroup {
  title: Label;
  questions: Question[];
}

const README_SECTION = '## Asking for figures';

/** The top-level `{ … }` documents of a GraphQL block, each with the comment lines just above it (if any). */
function documentsIn(block: string): { comment: string; text: string }[] {
  const docs: { comment: string; text: string }[] = [];
  let comment = '';
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < block.length; i++) {
    const c = block[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '#' && depth === 0) {
      const end = block.indexOf('\n', i);
      comment = block.slice(i + 1, end < 0 ? undefined : end).trim();
      i = end < 0 ? block.length : end;
    } else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      docs.push({ comment, text: block.slice(start, i + 1) });
    }
  }
  return docs;
}

/**
 * The example queries of the README's "Asking for figures" section (its first ```graphql block). Several queries
 * under one comment share it as their title, each after its first field's name.
 */
export function readmeQuestions(readme: string): Question[] {
  const section = readme.indexOf(README_SECTION);
  if (section < 0) throw new Error(`README.md: no "${README_SECTION}" section`);
  const block = /```graphql\n([\s\S]*?)```/.exec(readme.slice(section));
  if (!block) throw new Error(`README.md: no \`\`\`graphql block under "${README_SECTION}"`);
  const docs = documentsIn(block[1]);
  if (docs.length === 0) throw new Error(`README.md: the \`\`\`graphql block under "${README_SECTION}" holds no query`);
  return docs.map(({ comment, text }) => {
    const field = /^\{\s*(\w+)/.exec(text)?.[1] ?? '';
    const shared = docs.filter((d) => d.comment === comment).length > 1;
    const title = comment ? (shared ? `${field} · ${comment}` : comment) : field;
    return { title, query: `# ${title}\n${text}\n` };
  });
}

/**
 * Example values for the dashboards' variables: the nation, new Hà Nội where a province is required, last year,
 * its December; the time range is the warehouse's history.
 */
function exampleValues(today: Date) {
  const year = String(today.getFullYear() - 1);
  return {
    values: {
      unit: 'VN',
      year,
      month: `${year}12`,
      granularity: 'MONTH',
      indicator: 'victims_returned',
      old: '2025-03:01',
      oldYear: '2024',
    },
    provinceUnit: '2025-07:01',
    range: { from: HISTORY_START, to: today.toISOString().slice(0, 10) },
  };
}

/** Every distinct query of every dashboard panel, titled "dashboard · panel", with example values. */
export function dashboardQuestions(lang: Lang, today = new Date()): Question[] {
  const { values, provinceUnit, range } = exampleValues(today);
  const seen = new Set<string>();
  const out: Question[] = [];
  for (const d of DASHBOARDS) {
    const unit = d.variables.find((v) => v.name === 'unit');
    const vals = { ...values, unit: unit?.default ?? provinceUnit };
    for (const panel of allPanels(d)) {
      for (const q of panel.queries) {
        const text = interpolate(q.graphql, vals, range);
        const variables = JSON.stringify(JSON.parse(interpolate(q.variables, vals, range)), null, 2);
        if (seen.has(text + variables)) continue;
        seen.add(text + variables);
        const title = `${pick(d.title, lang)} · ${pick(panel.title, lang)}`;
        out.push({ title, query: `# ${title}\n${text}\n`, variables });
      }
    }
  }
  return out;
}
