/**
 * Requests and load commits take turns. A GraphQL request may run several statements (values, the previous
 * period, sources, completeness) and read cached results: if a load committed between two of them, one answer
 * would mix the warehouse before and after the load. So a commit waits for the requests in flight to finish, and
 * requests that arrive meanwhile wait for the commit (and the cache clearing that goes with it). A load's work
 * before its commit (staging, validation, the roll-up) runs alongside requests; only the commit itself excludes
 * them, and waiting commits go first so that a steady stream of requests cannot hold a load back forever.
 */
export class LoadGate {
  private reading = 0;
  private committing = false;
  private readonly readers: (() => void)[] = [];
  private readonly commits: (() => void)[] = [];

  /** Enters for a request; call the returned function once when the request is done. */
  async enter(): Promise<() => void> {
    if (this.committing || this.commits.length) await new Promise<void>((go) => this.readers.push(go));
    else this.reading++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.reading--;
      this.next();
    };
  }

  /** Runs `commit` with no request in flight. */
  async exclusive<T>(commit: () => Promise<T>): Promise<T> {
    if (this.committing || this.reading) await new Promise<void>((go) => this.commits.push(go));
    else this.committing = true;
    try {
      return await commit();
    } finally {
      this.committing = false;
      this.next();
    }
  }

  private next(): void {
    if (this.committing || this.reading) return;
    const commit = this.commits.shift();
    if (commit) {
      this.committing = true;
      return commit();
    }
    this.reading += this.readers.length;
    for (const go of this.readers.splice(0)) go();
  }
}
