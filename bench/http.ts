/**
 * A lean GraphQL client over node:http with keep-alive, so that the client's own overhead stays small beside the
 * server's: fetch (undici) adds a few hundred microseconds a request on these cores.
 */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  body: { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] };
}

export class GraphQLClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly target: URL;

  /** `token`: an API key; empty: no Authorization header (a server with PCMBN_ANONYMOUS=viewer). */
  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.target = new URL(url);
  }

  post(query: string, variables?: Record<string, unknown>): Promise<Answer> {
    const payload = Buffer.from(JSON.stringify({ query, variables }));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
            } catch {
              reject(new Error(`HTTP ${res.statusCode}: not JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** An answer that is not a clean 200 with data: the benchmark stops on it rather than time errors. */
export function problem(a: Answer): string | null {
  if (a.status !== 200) return `HTTP ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`;
  if (a.body.errors?.length)
    return `GraphQL errors: ${a.body.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`;
  if (!a.body.data) return 'no data';
  return null;
}
