/**
 * What an invariant looks at. Checked whole, an invariant visits every
 * subject of the state (every TCB, slot, CDT entry, ready queue...); checked
 * after a step, it visits only the subjects in a `Scope`: those the step
 * changed and those whose check reads something it changed (incremental.ts
 * computes them). Both ways run the same per-subject code, so the two can
 * differ only in which subjects they visit.
 */
import type { KernelState } from '../../spec/model/state';
import type { Cap, Endpoint, Notification, PPtr, SlotPtr, TCB, UntypedCap } from '../../spec/model/structures';

/** Which subjects to visit after a step (incremental.ts computes them), and the object bases in address order. */
export interface Scope {
  /** Objects: as TCBs, endpoints, notifications, and for their place in memory. */
  readonly objects: ReadonlySet<PPtr>;
  /** Slots: the cap in them and their CDT entries (parent, children list, originality). */
  readonly slots: ReadonlySet<SlotPtr>;
  /** Untyped slots whose every descendant is to be checked against them. */
  readonly untypeds: ReadonlySet<SlotPtr>;
  /** Slots whose CDT subtree is to be checked against all its untyped ancestors. */
  readonly subtrees: ReadonlySet<SlotPtr>;
  /** Ready queues, by index. */
  readonly readyQueues: ReadonlySet<number>;
  /** The state's object bases in address order (kept by the incremental check rather than sorted anew). */
  readonly bases: readonly PPtr[];
}

/** The subjects an invariant visits, looked up once for all the invariants. */
export interface Subjects {
  /** Every subject of the state (the whole check), or those of a step's scope. */
  readonly whole: boolean;
  /** Objects to place (the whole check places all of `bases`). */
  readonly objects: readonly PPtr[];
  readonly tcbs: ReadonlyArray<readonly [PPtr, TCB]>;
  readonly endpoints: ReadonlyArray<readonly [PPtr, Endpoint]>;
  readonly notifications: ReadonlyArray<readonly [PPtr, Notification]>;
  readonly caps: ReadonlyArray<readonly [SlotPtr, Cap]>;
  /** CDT parent entries, as [child, parent]. */
  readonly parents: ReadonlyArray<readonly [SlotPtr, SlotPtr]>;
  readonly childLists: ReadonlyArray<readonly [SlotPtr, readonly SlotPtr[]]>;
  readonly originals: readonly SlotPtr[];
  readonly readyQueues: ReadonlyArray<readonly [number, readonly PPtr[]]>;
  readonly untypeds: ReadonlyArray<readonly [SlotPtr, UntypedCap]>;
  readonly subtrees: readonly SlotPtr[];
  readonly bases: readonly PPtr[];
}

const entriesAt = <K, V>(m: ReadonlyMap<K, V>, keys: Iterable<K>): Array<readonly [K, V]> => {
  const out: Array<readonly [K, V]> = [];
  for (const k of keys) {
    const v = m.get(k);
    if (v !== undefined) out.push([k, v]);
  }
  return out;
};

/** The objects among `keys`, and the threads, endpoints and notifications among them. */
const objectSubjects = (s: KernelState, keys: Iterable<PPtr>): Pick<Subjects, 'objects' | 'tcbs' | 'endpoints' | 'notifications'> => {
  const objects: PPtr[] = [];
  const tcbs: Array<readonly [PPtr, TCB]> = [];
  const endpoints: Array<readonly [PPtr, Endpoint]> = [];
  const notifications: Array<readonly [PPtr, Notification]> = [];
  for (const [p, o] of entriesAt(s.objects, keys)) {
    objects.push(p);
    if (o._tag === 'TCB') tcbs.push([p, o]);
    else if (o._tag === 'Endpoint') endpoints.push([p, o]);
    else if (o._tag === 'Notification') notifications.push([p, o]);
  }
  return { objects, tcbs, endpoints, notifications };
};

const isUntyped = (e: readonly [SlotPtr, Cap]): e is readonly [SlotPtr, UntypedCap] => e[1]._tag === 'UntypedCap';

/** The subjects of a step's scope. */
export const subjectsIn = (s: KernelState, scope: Scope): Subjects => {
  const slots = [...scope.slots];
  return {
    whole: false,
    ...objectSubjects(s, scope.objects),
    caps: entriesAt(s.caps, slots),
    parents: entriesAt(s.cdt.parent, slots),
    childLists: entriesAt(s.cdt.children, slots),
    originals: slots.filter((slot) => s.cdt.original.has(slot)),
    readyQueues: entriesAt(s.readyQueues, scope.readyQueues),
    untypeds: entriesAt(s.caps, scope.untypeds).filter(isUntyped),
    subtrees: [...scope.subtrees].filter((slot) => s.caps.has(slot)),
    bases: scope.bases,
  };
};

/**
 * Every subject of the state, in each map's own order (as the invariants have
 * always visited them), found once per state: every invariant of the whole
 * check visits the same state, which is immutable.
 */
const wholeOf = new WeakMap<KernelState, Subjects>();

export const wholeSubjects = (s: KernelState): Subjects => {
  const cached = wholeOf.get(s);
  if (cached !== undefined) return cached;
  const caps: Array<readonly [SlotPtr, Cap]> = [...s.caps];
  const subjects: Subjects = {
    whole: true,
    ...objectSubjects(s, s.objects.keys()),
    caps,
    parents: [...s.cdt.parent],
    childLists: [...s.cdt.children],
    originals: [...s.cdt.original],
    readyQueues: [...s.readyQueues],
    untypeds: caps.filter(isUntyped),
    subtrees: [],
    bases: sortedBases(s),
  };
  wholeOf.set(s, subjects);
  return subjects;
};

/** The index of a position in sorted `xs`: the number of elements at or below `x`. */
export const upperBound = (xs: readonly number[], x: number): number => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export const sortedBases = (s: KernelState): PPtr[] => [...s.objects.keys()].sort((a, b) => a - b);
