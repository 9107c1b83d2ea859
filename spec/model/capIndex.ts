/**
 * How many slots hold a cap to each object (by `capObjectKey`), so that
 * `isFinalCapability` is a lookup rather than a scan of every slot. The index
 * is a cache of a pure function of the caps map, not part of the state: it is
 * derived from the last caps map it was asked about through that map's change
 * journal (the slots written since), or rebuilt when the map is not a later
 * version of it. Either way the answer is the one a scan gives (test:
 * test/spec/model/capIndex.test.ts).
 */
import { Map as IMap } from 'immutable';
import type { PMap } from './persistent';
import type { Cap, SlotPtr } from './structures';
import { capObjectKey } from './capability';

type Counts = IMap<string, number>;
type Caps = PMap<SlotPtr, Cap>;

const counted = (counts: Counts, cap: Cap | undefined, by: 1 | -1): Counts => {
  const key = cap === undefined ? null : capObjectKey(cap);
  if (key === null) return counts;
  const n = (counts.get(key) ?? 0) + by;
  return n === 0 ? counts.delete(key) : counts.set(key, n);
};

const built = (caps: Caps): Counts =>
  IMap<string, number>().withMutations((m) => {
    for (const c of caps.values()) {
      const key = capObjectKey(c);
      if (key !== null) m.set(key, (m.get(key) ?? 0) + 1);
    }
  });

const known = new WeakMap<Caps, Counts>();
let last: { readonly caps: Caps; readonly counts: Counts } | null = null;

/** The number of slots in `caps` holding a cap to each object. */
const countsOf = (caps: Caps): Counts => {
  const hit = known.get(caps);
  if (hit !== undefined) return hit;
  const changed = last === null ? null : caps.changedSince(last.caps);
  let counts: Counts;
  if (last === null || changed === null || changed.size > caps.size) counts = built(caps);
  else {
    counts = last.counts;
    for (const slot of changed) counts = counted(counted(counts, last.caps.get(slot), -1), caps.get(slot), 1);
  }
  known.set(caps, counts);
  last = { caps, counts };
  return counts;
};

/** How many slots of `caps` hold a cap to the object `cap` names (0 for a cap that names none). */
export const capsToSameObject = (caps: Caps, cap: Cap): number => {
  const key = capObjectKey(cap);
  return key === null ? 0 : (countsOf(caps).get(key) ?? 0);
};
