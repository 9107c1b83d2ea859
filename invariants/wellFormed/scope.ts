/**
 * What an invariant looks at. Checked whole, an invariant visits every
 * subject of the state (every TCB, slot, CDT entry, ready queue...); checked
 * after a step, it visits only the subjects in a `Scope`: those the step
 * changed and those whose check reads something it changed (incremental.ts
 * computes them). Both ways run the same per-subject code, so the two can
 * differ only in which subjects they visit.
 */
import type { KernelState } from '../../spec/model/state';
import type { Cap, Endpoint, KernelObject, Notification, PPtr, SlotPtr, TCB } from '../../spec/model/structures';

/** The subjects to visit after a step, and the indexes of the state that replace whole scans. */
export interface Scope {
  /** Objects to check: as TCBs, endpoints, notifications, and for their place in memory. */
  readonly objects: ReadonlySet<PPtr>;
  /** Slots to check: the cap in them and their CDT entries (parent, children list, originality). */
  readonly slots: ReadonlySet<SlotPtr>;
  /** Untyped slots whose every descendant is to be checked against them. */
  readonly untypeds: ReadonlySet<SlotPtr>;
  /** Slots whose CDT subtree is to be checked against all its untyped ancestors. */
  readonly subtrees: ReadonlySet<SlotPtr>;
  /** Ready queues (by index) to check. */
  readonly readyQueues: ReadonlySet<number>;
  /** The state's object bases in address order (kept by the incremental check rather than sorted anew). */
  readonly bases: readonly PPtr[];
}

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

// ---------------------------------------------------------------- the subjects

interface ThreadObjects {
  readonly tcbs: Array<readonly [PPtr, TCB]>;
  readonly endpoints: Array<readonly [PPtr, Endpoint]>;
  readonly notifications: Array<readonly [PPtr, Notification]>;
}

/**
 * The state's threads, endpoints and notifications, found in one pass per
 * state when it is checked whole (every invariant visits the same state; the
 * object map is immutable, so its identity stands for its content).
 */
const split = new WeakMap<KernelState['objects'], ThreadObjects>();

const threadObjects = (s: KernelState): ThreadObjects => {
  const cached = split.get(s.objects);
  if (cached !== undefined) return cached;
  const found: ThreadObjects = { tcbs: [], endpoints: [], notifications: [] };
  for (const [p, o] of s.objects) {
    if (o._tag === 'TCB') found.tcbs.push([p, o]);
    else if (o._tag === 'Endpoint') found.endpoints.push([p, o]);
    else if (o._tag === 'Notification') found.notifications.push([p, o]);
  }
  split.set(s.objects, found);
  return found;
};

function* inScope<T extends KernelObject>(s: KernelState, scope: Scope, tag: T['_tag']): Iterable<readonly [PPtr, T]> {
  for (const p of scope.objects) {
    const o = s.objects.get(p);
    if (o?._tag === tag) yield [p, o as T];
  }
}

export const tcbsIn = (s: KernelState, scope: Scope | undefined): Iterable<readonly [PPtr, TCB]> => (scope === undefined ? threadObjects(s).tcbs : inScope<TCB>(s, scope, 'TCB'));
export const endpointsIn = (s: KernelState, scope: Scope | undefined): Iterable<readonly [PPtr, Endpoint]> =>
  scope === undefined ? threadObjects(s).endpoints : inScope<Endpoint>(s, scope, 'Endpoint');
export const notificationsIn = (s: KernelState, scope: Scope | undefined): Iterable<readonly [PPtr, Notification]> =>
  scope === undefined ? threadObjects(s).notifications : inScope<Notification>(s, scope, 'Notification');

/** Slots with a cap: all of them, or those in scope. */
export function* capsIn(s: KernelState, scope: Scope | undefined): Iterable<readonly [SlotPtr, Cap]> {
  if (scope === undefined) {
    yield* s.caps;
    return;
  }
  for (const slot of scope.slots) {
    const c = s.caps.get(slot);
    if (c !== undefined) yield [slot, c];
  }
}

/** Entries of a map keyed by slot: all of them, or those of the slots in scope. */
export function* slotEntriesIn<V>(m: ReadonlyMap<SlotPtr, V>, scope: Scope | undefined): Iterable<readonly [SlotPtr, V]> {
  if (scope === undefined) {
    yield* m;
    return;
  }
  for (const slot of scope.slots) {
    const v = m.get(slot);
    if (v !== undefined) yield [slot, v];
  }
}

export function* readyQueuesIn(s: KernelState, scope: Scope | undefined): Iterable<readonly [number, readonly PPtr[]]> {
  if (scope === undefined) {
    yield* s.readyQueues;
    return;
  }
  for (const index of scope.readyQueues) {
    const q = s.readyQueues.get(index);
    if (q !== undefined) yield [index, q];
  }
}
