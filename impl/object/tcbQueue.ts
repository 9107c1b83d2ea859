/**
 * Endpoint and notification wait queues: intrusive doubly linked lists
 * threaded through each TCB's tcbEPNext / tcbEPPrev words, with head and tail
 * pointers in the endpoint's (or notification's) own words.
 *
 * seL4: C include/object/tcb.h (tcb_queue_t, tcbEPAppend, tcbEPDequeue),
 * src/object/endpoint.c; spec twin: the queue lists of spec/model/structures.ts.
 */
import { Endpoint, type Field, Notification, Tcb } from '../model/layout';
import { objGet, objSet, tcbGet, tcbSet } from '../model/heap';
import type { Kernel } from '../model/state';
import { seam } from '../model/seam';

export interface TcbQueue {
  head: number;
  end: number;
}

interface QueueFields {
  readonly head: Field;
  readonly tail: Field;
}
export const EP_QUEUE: QueueFields = { head: Endpoint.queueHead, tail: Endpoint.queueTail };
export const NTFN_QUEUE: QueueFields = { head: Notification.queueHead, tail: Notification.queueTail };

export const getQueue = (k: Kernel, obj: number, f: QueueFields): TcbQueue => ({
  head: objGet(k, obj, f.head),
  end: objGet(k, obj, f.tail),
});

export const setQueue = (k: Kernel, obj: number, f: QueueFields, q: TcbQueue): void => {
  objSet(k, obj, f.head, q.head);
  objSet(k, obj, f.tail, q.end);
};

/** `tcbEPAppend`: link the thread at the end. */
export const tcbEPAppend = (k: Kernel, t: number, q: TcbQueue): TcbQueue => {
  if (q.head === 0) q.head = t;
  else tcbSet(k, q.end, Tcb.epNext, t);
  tcbSet(k, t, Tcb.epPrev, q.end);
  tcbSet(k, t, Tcb.epNext, 0);
  q.end = t;
  return q;
};

/** `tcbEPDequeue`: unlink the thread from wherever it is in the queue. */
export const tcbEPDequeue = seam('tcbEPDequeue', (k: Kernel, t: number, q: TcbQueue): TcbQueue => {
  const prev = tcbGet(k, t, Tcb.epPrev);
  const next = tcbGet(k, t, Tcb.epNext);
  if (prev !== 0) tcbSet(k, prev, Tcb.epNext, next);
  else q.head = next;
  if (next !== 0) tcbSet(k, next, Tcb.epPrev, prev);
  else q.end = prev;
  return q;
});
