/**
 * Delta debugging on a concrete trace: remove chunks of events while the run
 * still fails, down to single events. fast-check has already shrunk the plans;
 * this works on the replayable events themselves, so the counterexample a user
 * reads is as short as the failure allows.
 */
import type { Event } from '../spec/api';

export const minimiseTrace = (events: readonly Event[], fails: (es: readonly Event[]) => boolean, budget = 2000): Event[] => {
  let cur = [...events];
  let tries = 0;
  let chunk = Math.max(1, Math.floor(cur.length / 2));
  while (chunk >= 1 && tries < budget) {
    let removed = false;
    for (let start = 0; start < cur.length && tries < budget; ) {
      const candidate = [...cur.slice(0, start), ...cur.slice(start + chunk)];
      tries++;
      if (candidate.length > 0 && fails(candidate)) {
        cur = candidate;
        removed = true;
      } else {
        start += chunk;
      }
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  return cur;
};
