/**
 * Requests and loads take turns. A load commits its files' facts, then the roll-up built on them; a GraphQL request
 * runs several statements (the roll-up's values, the previous period, sources and completeness from the facts and
 * reports) and reads cached results. Were a request to run between the two commits, or across one, its answer
 * would mix the warehouse before and after the load. So a load, from its first commit to its roll-up's, waits for
 * the requests in flight and holds new ones back (until it has cleared the result cache). Its staging and
 * validation run alongside requests; a waiting load goes first, so that a stream of requests cannot starve it.
 *
 * A request is done once its answer is handed to the socket, not once the client has read it (the server leaves
 * the gate when it writes the answer), so a client that never reads holds nobody back. And a load waits for the
 * requests in flight at most `maxWaitMs`, longer than the query timeout that ends every request running normally:
 * a request still in flight then is left behind (its leaving no longer counts) and the load goes ahead.
 */
/** One hold, as it ended: how long readers were held back, and how many requests waited for it. */
export interface HoldReport {
  heldMs: number;
  requestsHeld: number;
}

interface WaitingLoad {
  go(): void;
  timer?: NodeJS.Timeout;
}

export class LoadGate {
  private reading = 0;
  private holding = false;
  private readonly readers: (() => void)[] = [];
  private readonly loads: WaitingLoad[] = [];
  /** Grows each time a load goes ahead of requests in flight: those requests leave uncounted. */
  private round = 0;

  /**
   * `onOvertake` hears how many requests a load left behind when its wait ran out; `onRelease`, each hold as it
   * ends (what a load cost the requests: the benchmark's monthly drop reads it from the server's log).
   */
  constructor(
    private readonly onOvertake?: (inFlight: number) => void,
    private readonly onRelease?: (hold: HoldReport) => void,
  ) {}

  /** Enters for a request; call the returned function once when the request is done. */
  async enter(): Promise<() => void> {
    if (this.holding || this.loads.length) await new Promise<void>((go) => this.readers.push(go));
    else this.reading++;
    const round = this.round;
    let left = false;
    return () => {
      if (left || round !== this.round) return;
      left = true;
      this.reading--;
      this.next();
    };
  }

  /**
   * Waits for the requests in flight, at most `maxWaitMs`, and holds new ones back until the returned function is
   * called.
   */
  async hold(maxWaitMs = Infinity): Promise<() => void> {
    if (this.holding || this.reading) {
      await new Promise<void>((go) => {
        const load: WaitingLoad = { go };
        if (maxWaitMs !== Infinity) load.timer = setTimeout(() => this.overtake(load), maxWaitMs);
        this.loads.push(load);
      });
    } else this.holding = true;
    const since = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Every request waiting now came during this hold, or while the load waited for those in flight.
      const report = { heldMs: performance.now() - since, requestsHeld: this.readers.length };
      this.holding = false;
      this.next();
      this.onRelease?.(report);
    };
  }

  /** A load whose wait ran out goes ahead of the requests in flight (not of another load holding the gate). */
  private overtake(load: WaitingLoad): void {
    const i = this.loads.indexOf(load);
    if (i < 0 || this.holding) return;
    this.loads.splice(i, 1);
    this.onOvertake?.(this.reading);
    this.round++;
    this.reading = 0;
    this.holding = true;
    load.go();
  }

  private next(): void {
    if (this.holding || this.reading) return;
    const load = this.loads.shift();
    if (load) {
      clearTimeout(load.timer);
      this.holding = true;
      return load.go();
    }
    this.reading += this.readers.length;
    for (const go of this.readers.splice(0)) go();
  }
}
