/**
 * Requests and loads take turns. A load commits its files' facts, then the roll-up built on them; a GraphQL request
 * runs several statements (the roll-up's values, the previous period, sources and completeness from the facts and
 * reports) and reads cached results. Were a request to run between the two commits, or across one, its answer
 * would mix the warehouse before and after the load. So a load, from its first commit to its roll-up's, waits for
 * the requests in flight and holds new ones back (until it has cleared the result cache). Its staging and
 * validation run alongside requests; a waiting load goes first, so that a stream of requests cannot starve it.
 */
export class LoadGate {
  private reading = 0;
  private holding = false;
  private readonly readers: (() => void)[] = [];
  private readonly loads: (() => void)[] = [];

  /** Enters for a request; call the returned function once when the request is done. */
  async enter(): Promise<() => void> {
    if (this.holding || this.loads.length) await new Promise<void>((go) => this.readers.push(go));
    else this.reading++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.reading--;
      this.next();
    };
  }

  /** Waits for the requests in flight and holds new ones back until the returned function is called. */
  async hold(): Promise<() => void> {
    if (this.holding || this.reading) await new Promise<void>((go) => this.loads.push(go));
    else this.holding = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holding = false;
      this.next();
    };
  }

  private next(): void {
    if (this.holding || this.reading) return;
    const load = this.loads.shift();
    if (load) {
      this.holding = true;
      return load();
    }
    this.reading += this.readers.length;
    for (const go of this.readers.splice(0)) go();
  }
}
