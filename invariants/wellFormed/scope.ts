/**
 * What an invariant looks at. Checked whole, an invariant visits every
 * subject of the state (every TCB, slot, CDT entry, ready queue...); checked
 * after a step, it visits only the subjects in a `Scope`: those the step
 * changed and those whose check reads something it changed (incremental.ts
 * computes them). Both ways run the same per-subject code, so the two can
 * differ only in which subjects they visit.
 */
import type { KernelState } from '../../spec/model/state';
import type { Cap, Endpoint, Notification, PPtr, SlotPtr, TCB } from '../../spec/model/structures';

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
  /** Objects to place (in the whole check: all of `bases`). */
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

type UntypedCap = Cap & { readonly _tag: 'UntypedCap' };

const entriesAt = <K, V>(m: ReadonlyMap<K, V>, keys: Iterable<K>): Array<readonly [K, V]> => {
  const out: Array<readonly [K, V]> = [];
  for (const k of keys) {
    const v = m.get(k);
    if (v !== undefined) out.push([k, v]);
  }
  return out;
};

const subjectsFrom = (
  s: KernelState,
  objects: Iterable<PPtr>,
  slots: Iterable<SlotPtr>,
  untypeds: Iterable<SlotPtr>,
  subtrees: readonly SlotPtr[],
  readyQueues: Iterable<number>,
  bases: readonly PPtr[],
  whole: boolean,
): Subjects => {
  const found = { tcbs: [] as Array<readonly [PPtr, TCB]>, endpoints: [] as Array<readonly [PPtr, Endpoint]>, notifications: [] as Array<readonly [PPtr, Notification]> };
  const present: PPtr[] = [];
  for (const [p, o] of entriesAt(s.objects, objects)) {
    present.push(p);
    if (o._tag === 'TCB') found.tcbs.push([p, o]);
    else if (o._tag === 'Endpoint') found.endpoints.push([p, o]);
    else if (o._tag === 'Notification') found.notifications.push([p, o]);
  }
  const slotList = [...slots];
  return {
    whole,
    objects: present,
    ...found,
    caps: entriesAt(s.caps, slotList),
    parents: entriesAt(s.cdt.parent, slotList),
    childLists: entriesAt(s.cdt.children, slotList),
    originals: slotList.filter((slot) => s.cdt.original.has(slot)),
    readyQueues: entriesAt(s.readyQueues, readyQueues),
    untypeds: entriesAt(s.caps, untypeds).filter((e): e is readonly [SlotPtr, UntypedCap] => e[1]._tag === 'UntypedCap'),
    subtrees: subtrees.filter((slot) => s.caps.has(slot)),
    bases,
  };
};

/** The subjects of a step's scope. */
export const subjectsIn = (s: KernelState, scope: Scope): Subjects =>
  subjectsFrom(s, scope.objects, scope.slots, scope.untypeds, [...scope.subtrees], scope.readyQueues, scope.bases, false);

/**
 * Every subject of the state, found once per state (every invariant of the
 * whole check visits the same state, which is immutable).
 */
const wholeOf = new WeakMap<KernelState, Subjects>();

export const wholeSubjects = (s: KernelState): Subjects => {
  const cached = wholeOf.get(s);
  if (cached !== undefined) return cached;
  // In each map's own order, as the invariants have always visited them.
  const bases = sortedBases(s);
  const subjects = {
    ...subjectsFrom(s, s.objects.keys(), s.caps.keys(), s.caps.keys(), [], s.readyQueues.keys(), bases, true),
    parents: [...s.cdt.parent],
    childLists: [...s.cdt.children],
    originals: [...s.cdt.original],
  };
  wholeOf.set(s, subjects);
  return subjects;
};

/** The object a cap names (for a reply cap: its thread), if any. */
export const capTarget = (c: Cap): PPtr | undefined => {
  switch (c._tag) {
    case 'ThreadCap':
    case 'ReplyCap':
      return c.tcb;
    case 'EndpointCap':
    case 'NotificationCap':
    case 'CNodeCap':
    case 'FrameCap':
    case 'PageTableCap':
    case 'PageDirectoryCap':
    case 'ASIDPoolCap':
    case 'ZombieCap':
      return c.ptr;
    default:
      return undefined;
  }
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

/** Which slots hold a cap to each object, built from the whole state. */
export const capsToObjects = (s: KernelState): Map<PPtr, Set<SlotPtr>> => {
  const capsTo = new Map<PPtr, Set<SlotPtr>>();
  for (const [slot, c] of s.caps) addCapTo(capsTo, slot, c);
  return capsTo;
};

export const addCapTo = (capsTo: Map<PPtr, Set<SlotPtr>>, slot: SlotPtr, c: Cap): void => {
  const t = capTarget(c);
  if (t === undefined) return;
  const slots = capsTo.get(t);
  if (slots === undefined) capsTo.set(t, new Set([slot]));
  else slots.add(slot);
};

export const removeCapTo = (capsTo: Map<PPtr, Set<SlotPtr>>, slot: SlotPtr, c: Cap): void => {
  const t = capTarget(c);
  if (t === undefined) return;
  const slots = capsTo.get(t);
  slots?.delete(slot);
  if (slots?.size === 0) capsTo.delete(t);
};
