/**
 * Helpers shared by the plan resolvers: picking by position, boundary-biased
 * choices, building syscall events.
 */
import { invocationEvent } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import type { Cap } from '../../spec/model/structures';
import type { Event } from '../../spec/api';
import type { Invokable, View } from './view';

/** One event to be resolved against the state at the time it happens (undefined: nothing fits). */
export type Step = (s: KernelState) => Event | undefined;

/** Deliberately wrong arguments appear in about this share of plans. */
export const BAD_PERCENT = 12;

export const pick = <A>(xs: readonly A[], n: number): A | undefined => (xs.length === 0 ? undefined : xs[n % xs.length]);

export const at = (n: readonly number[], i: number): number => n[i] ?? 0;

/** A boundary-biased choice: mostly from `common`, sometimes from `edges`. */
export const choose = (n: number, common: readonly number[], edges: readonly number[]): number =>
  n % 8 === 7 && edges.length > 0 ? (edges[(n >>> 3) % edges.length] ?? 0) : (common[n % common.length] ?? 0);

export const call = invocationEvent;

/** An endpoint cap whose endpoint has a sender queued with the cap's badge (what CancelBadgedSends would restart). */
export const hasQueuedSenderWithBadge = (s: KernelState, c: Cap): boolean => {
  if (c._tag !== 'EndpointCap') return false;
  const e = s.objects.get(c.ptr);
  return (
    e?._tag === 'Endpoint' &&
    e.state._tag === 'SendEP' &&
    e.state.queue.some((t) => {
      const o = s.objects.get(t);
      return o?._tag === 'TCB' && o.state._tag === 'BlockedOnSend' && o.state.badge === c.badge;
    })
  );
};

export const untypeds = (v: View): Invokable[] => v.invokable.filter((c) => c.cap._tag === 'UntypedCap');
export const cnodeCaps = (v: View): Invokable[] => v.invokable.filter((c) => c.cap._tag === 'CNodeCap');
