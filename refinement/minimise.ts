/**
 * Delta debugging on a concrete trace: remove chunks of events while the run
 * still fails, down to single events. fast-check has already shrunk the plans;
 * this works on the replayable events themselves, so the counterexample a user
 * reads is as short as the failure allows.
 */
import type { Event } from '../spec/api';

export interface MinimiseOptions {
  /** Candidate traces to try at most (a count, so the result is the same on any machine). */
  readonly budget?: number;
  /** Checked before each candidate: true ends minimising with the shortest trace so far. */
  readonly stop?: () => boolean;
  /** Awaited between candidates (lets signals and progress through). */
  readonly between?: () => Promise<void>;
  /** Told of each shorter failing trace and the candidates tried so far. */
  readonly onSmaller?: (events: readonly Event[], tries: number) => void;
}

export const minimiseTrace = async (events: readonly Event[], fails: (es: readonly Event[]) => boolean, opts: MinimiseOptions = {}): Promise<Event[]> => {
  const budget = opts.budget ?? 2000;
  let cur = [...events];
  let tries = 0;
  let chunk = Math.max(1, Math.floor(cur.length / 2));
  while (chunk >= 1 && tries < budget) {
    let removed = false;
    for (let start = 0; start < cur.length && tries < budget;) {
      await opts.between?.();
      if (opts.stop?.() === true) return cur;
      const candidate = [...cur.slice(0, start), ...cur.slice(start + chunk)];
      tries++;
      if (candidate.length > 0 && fails(candidate)) {
        cur = candidate;
        removed = true;
        opts.onSmaller?.(cur, tries);
      } else {
        start += chunk;
      }
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  return cur;
};
