/**
 * The analyst's workbench: GraphiQL served by the warehouse (bundled by api/pages/workbench.ts, nothing fetched from
 * elsewhere), with a field for the API key, the saved questions as a sidebar, and the answer's lists downloaded as
 * CSV or XLSX through the server's /export endpoint, which runs the tab's query again under the same key, so a file
 * holds exactly what the key may see.
 *
 * The key lives in sessionStorage under the same name as the dashboard page's, so one entry serves both; the
 * analyst's tabs live in localStorage through GraphiQL's own storage.
 */
import 'graphiql/graphiql.css';
import './style.css';
import { type GraphiQLPlugin, useEditorContext } from '@graphiql/react';
import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createContext, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { type Label, type Lang, pick } from '../spec.ts';
import { T } from './i18n.ts';
import { dashboardQuestions, type Question } from './questions.ts';

/** The README's examples, read from the README by api/pages/workbench.ts. */
declare const README_QUESTIONS: Question[];

const KEY_ITEM = 'pcmbn.apiKey';
const LANG_ITEM = 'pcmbn.lang';

type Auth = { auth: 'anonymous' } | { auth: 'demo'; token: string } | { auth: 'key' };

const LangContext = createContext<Lang>('vi');
const useText = () => {
  const lang = useContext(LangContext);
  return (l: Label) => pick(l, lang);
};

function authHeaders(key: string | null): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function fileNameOf(res: Response, fallback: string): string {
  return /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallback;
}

function QuestionList({ title, questions }: { title: Label; questions: Question[] }) {
  const t = useText();
  const editor = useEditorContext({ nonNull: true });
  const pending = useRef<Question | null>(null);
  // A new tab's editors are filled once React has switched to it; the question waits for that.
  useEffect(() => {
    if (pending.current === null || !editor.queryEditor) return;
    editor.queryEditor.setValue(pending.current.query);
    editor.variableEditor?.setValue(pending.current.variables ?? '');
    pending.current = null;
  }, [editor.activeTabIndex, editor.tabs.length, editor.queryEditor, editor.variableEditor]);
  return (
    <section className="wb-questions">
      <h3>{t(title)}</h3>
      <ul>
        {questions.map((q) => (
          <li key={q.query + (q.variables ?? '')}>
            <button
              type="button"
              className="wb-link"
              onClick={() => {
                pending.current = q;
                editor.addTab();
              }}
            >
              {q.title}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function MyQueries() {
  const t = useText();
  const editor = useEditorContext({ nonNull: true });
  const exportTabs = () => {
    // The open tab's state lags its editor by a debounce: its text is read from the editor itself.
    const text = editor.tabs
      .map((tab, i) => (i === editor.activeTabIndex ? (editor.queryEditor?.getValue() ?? tab.query) : tab.query))
      .map((query) => (query ?? '').trim())
      .filter((query) => query !== '')
      .join('\n\n');
    saveFile(new Blob([text + '\n'], { type: 'application/graphql;charset=utf-8' }), 'pcmbn-queries.graphql');
  };
  return (
    <section className="wb-questions">
      <h3>{t(T.myQueries)}</h3>
      <p>{t(T.myQueriesHelp)}</p>
      <button type="button" className="wb-button" data-testid="export-queries" onClick={exportTabs}>
        {t(T.exportQueries)}
      </button>
    </section>
  );
}

function QuestionsPanel() {
  const lang = useContext(LangContext);
  const fromDashboards = useMemo(() => dashboardQuestions(lang), [lang]);
  return (
    <div className="wb-panel">
      <MyQueries />
      <QuestionList title={T.readmeExamples} questions={README_QUESTIONS} />
      <QuestionList title={T.dashboardQueries} questions={fromDashboards} />
    </div>
  );
}

function QuestionsIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path d="M5 3h11l3 3v15H5z M8 9h8 M8 13h8 M8 17h5" fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

type Format = 'csv' | 'xlsx';

/** Below the answer: download the tab's lists as CSV or XLSX, choosing a list when the answer holds several. */
function Downloads({ apiKey }: { apiKey: string | null }) {
  const t = useText();
  const editor = useEditorContext({ nonNull: true });
  const [message, setMessage] = useState('');
  const [choice, setChoice] = useState<{ paths: string[]; format: Format } | null>(null);

  const download = async (format: Format, path?: string) => {
    setMessage(t(T.downloading));
    setChoice(null);
    let variables: unknown;
    const text = editor.variableEditor?.getValue().trim() ?? '';
    try {
      variables = text ? JSON.parse(text) : undefined;
    } catch {
      return setMessage(t(T.badVariables));
    }
    const search = new URLSearchParams({ format, ...(path ? { path } : {}) });
    let res: Response;
    try {
      res = await fetch(`/export?${search}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(apiKey) },
        body: JSON.stringify({
          query: editor.queryEditor?.getValue() ?? '',
          variables,
          operationName: editor.queryEditor?.operationName ?? undefined,
        }),
      });
    } catch (e) {
      return setMessage((e as Error).message);
    }
    if (res.ok) {
      saveFile(await res.blob(), fileNameOf(res, `pcmbn.${format}`));
      return setMessage('');
    }
    const body = (await res.json().catch(() => ({}))) as {
      errors?: { message: string; extensions?: { code?: string; paths?: string[] } }[];
    };
    const first = body.errors?.[0];
    if (first?.extensions?.code === 'SEVERAL_LISTS' && first.extensions.paths) {
      setChoice({ paths: first.extensions.paths, format });
      return setMessage(t(T.chooseList));
    }
    setMessage(first?.message ?? `HTTP ${res.status}`);
  };

  return (
    <div className="wb-downloads">
      <span>{t(T.download)}:</span>
      <button type="button" className="wb-button" data-testid="download-csv" onClick={() => void download('csv')}>
        {t(T.csv)}
      </button>
      <button type="button" className="wb-button" data-testid="download-xlsx" onClick={() => void download('xlsx')}>
        {t(T.xlsx)}
      </button>
      <span className="wb-message" role="status">
        {message}
      </span>
      {choice?.paths.map((p) => (
        <button
          key={p}
          type="button"
          className="wb-button"
          data-path={p}
          onClick={() => void download(choice.format, p)}
        >
          {p}
        </button>
      ))}
    </div>
  );
}

function KeyBar({ auth, apiKey, onKey }: { auth: Auth; apiKey: string | null; onKey: (k: string | null) => void }) {
  const t = useText();
  const [draft, setDraft] = useState('');
  if (auth.auth === 'anonymous') return <span className="wb-note">{t(T.anonymous)}</span>;
  if (apiKey)
    return (
      <span className="wb-key">
        {auth.auth === 'demo' && apiKey === auth.token ? t(T.demoKey) : t(T.keyInUse)}{' '}
        <code>{apiKey.slice(0, 12)}…</code>
        <button type="button" className="wb-button" onClick={() => onKey(null)}>
          {t(T.forgetKey)}
        </button>
      </span>
    );
  return (
    <form
      className="wb-key"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft.trim()) onKey(draft.trim());
      }}
    >
      <label>
        {t(T.key)}{' '}
        <input
          type="password"
          name="api-key"
          autoComplete="off"
          placeholder={t(T.keyPlaceholder)}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      </label>
      <button type="submit" className="wb-button">
        {t(T.useKey)}
      </button>
    </form>
  );
}

function Workbench({ auth }: { auth: Auth }) {
  const [lang, setLang] = useState<Lang>(localStorage.getItem(LANG_ITEM) === 'en' ? 'en' : 'vi');
  const [apiKey, setApiKey] = useState<string | null>(
    sessionStorage.getItem(KEY_ITEM) ?? (auth.auth === 'demo' ? auth.token : null),
  );
  const t = (l: Label) => pick(l, lang);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t(T.title)} · PCMBN`;
    localStorage.setItem(LANG_ITEM, lang);
  }, [lang]);

  const onKey = (k: string | null) => {
    if (k) sessionStorage.setItem(KEY_ITEM, k);
    else sessionStorage.removeItem(KEY_ITEM);
    setApiKey(k);
  };

  const fetcher: Fetcher = useMemo(
    () => async (params) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders(apiKey) },
        body: JSON.stringify(params),
      });
      return res.json();
    },
    [apiKey],
  );

  const plugin: GraphiQLPlugin = useMemo(
    () => ({ title: t(T.questions), icon: QuestionsIcon, content: QuestionsPanel }),
    [lang],
  );

  return (
    <LangContext.Provider value={lang}>
      <header className="wb-bar">
        <strong>{t(T.title)}</strong>
        <KeyBar auth={auth} apiKey={apiKey} onKey={onKey} />
        <button type="button" className="wb-button" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t(T.switchLang)}
        </button>
      </header>
      <main className="wb-main">
        {/* A new key means a new schema to read: GraphiQL starts again; the tabs stay in its storage. */}
        <GraphiQL
          key={apiKey ?? ''}
          fetcher={fetcher}
          // No key yet: no schema to read (it would be refused); GraphiQL reads it once a key is given.
          schema={apiKey || auth.auth === 'anonymous' ? undefined : null}
          plugins={[plugin]}
          visiblePlugin={plugin}
          isHeadersEditorEnabled={false}
          shouldPersistHeaders={false}
          defaultQuery={README_QUESTIONS[0]?.query ?? ''}
        >
          <GraphiQL.Logo>PCMBN</GraphiQL.Logo>
          <GraphiQL.Footer>
            <Downloads apiKey={apiKey} />
          </GraphiQL.Footer>
        </GraphiQL>
      </main>
    </LangContext.Provider>
  );
}

async function start(): Promise<void> {
  let auth: Auth = { auth: 'key' };
  try {
    const res = await fetch('/dashboard-config.json', { headers: { accept: 'application/json' } });
    if (res.ok) auth = (await res.json()) as Auth;
  } catch {
    // Without the configuration the analyst enters a key, as on any other server.
  }
  createRoot(document.getElementById('workbench')!).render(<Workbench auth={auth} />);
}

void start();
