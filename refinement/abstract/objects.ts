/**
 * Abstraction of the objects in memory (seL4's ko_at relations): TCBs (state
 * and fault words, register file), endpoints and notifications (walking their
 * intrusive queues), CNodes, frames, page tables, page directories and ASID
 * pools. Which objects exist comes from the kernel's ghost object table.
 */
import { KERNEL_PD_INDEX, N_CONTEXT_REGISTERS, VM_RIGHTS } from '../../spec/api';
import type { ASIDPool, Endpoint, KernelObject, Notification, PDE, PTE, PageDirectory, PageTable, PPtr, TCB, ThreadState, VMAttributes } from '../../spec/model/structures';
import {
  EP_IDLE,
  EP_RECV,
  EP_SEND,
  Endpoint as EpL,
  NTFN_ACTIVE,
  NTFN_IDLE,
  NTFN_WAITING,
  Notification as NtfnL,
  PDE_TYPE_COARSE,
  PDE_TYPE_SECTION,
  Pde,
  Pte,
  TS,
  Tcb,
  ThreadStateW,
  getField,
} from '../../impl/model/layout';
import { readFault } from '../../impl/model/fault';
import type { GhostObject, Kernel } from '../../impl/model/state';
import { type Violation, field, forEachNonZeroWord, hex, tcbWord, word } from './read';

const tsField = (k: Kernel, t: number, f: (typeof ThreadStateW)[keyof typeof ThreadStateW]): number => getField(tcbWord(k, t, Tcb.state0 + f.word), f);

export const abstractThreadState = (k: Kernel, t: number, v: Violation[]): ThreadState => {
  const obj = tsField(k, t, ThreadStateW.blockingObject);
  switch (tsField(k, t, ThreadStateW.tsType)) {
    case TS.Inactive:
      return { _tag: 'Inactive' };
    case TS.Running:
      return { _tag: 'Running' };
    case TS.Restart:
      return { _tag: 'Restart' };
    case TS.BlockedOnReceive:
      return { _tag: 'BlockedOnReceive', ep: obj, canGrant: tsField(k, t, ThreadStateW.canGrant) === 1 };
    case TS.BlockedOnSend:
      return {
        _tag: 'BlockedOnSend',
        ep: obj,
        badge: tsField(k, t, ThreadStateW.badge),
        canGrant: tsField(k, t, ThreadStateW.canGrant) === 1,
        canGrantReply: tsField(k, t, ThreadStateW.canGrantReply) === 1,
        isCall: tsField(k, t, ThreadStateW.isCall) === 1,
      };
    case TS.BlockedOnReply:
      return { _tag: 'BlockedOnReply' };
    case TS.BlockedOnNotification:
      return { _tag: 'BlockedOnNotification', ntfn: obj };
    case TS.IdleThreadState:
      return { _tag: 'IdleThreadState' };
    default:
      v.push({ path: `objects[${hex(t)}].state`, message: `unknown thread state type ${tsField(k, t, ThreadStateW.tsType)}` });
      return { _tag: 'Inactive' };
  }
};

export const abstractTCB = (k: Kernel, t: number, v: Violation[]): TCB => {
  const context: number[] = [];
  for (let r = 0; r < N_CONTEXT_REGISTERS; r++) context.push(tcbWord(k, t, Tcb.context + r));
  const bound = tcbWord(k, t, Tcb.boundNotification);
  return {
    _tag: 'TCB',
    state: abstractThreadState(k, t, v),
    fault: readFault(tcbWord(k, t, Tcb.fault0), tcbWord(k, t, Tcb.fault1), tcbWord(k, t, Tcb.lookupFailure0), tcbWord(k, t, Tcb.lookupFailure1)),
    priority: tcbWord(k, t, Tcb.priority),
    mcp: tcbWord(k, t, Tcb.mcp),
    domain: tcbWord(k, t, Tcb.domain),
    timeSlice: tcbWord(k, t, Tcb.timeSlice),
    faultHandler: tcbWord(k, t, Tcb.faultHandler),
    ipcBuffer: tcbWord(k, t, Tcb.ipcBuffer),
    boundNotification: bound === 0 ? null : bound,
    flags: tcbWord(k, t, Tcb.flags),
    context,
  };
};

/** Walk an intrusive TCB queue from its head, checking the back links and the tail. */
export const walkQueue = (k: Kernel, head: number, tail: number, next: number, prev: number, path: () => string, v: Violation[]): PPtr[] => {
  const out: PPtr[] = [];
  let p = 0;
  for (let t = head; t !== 0; t = tcbWord(k, t, next)) {
    if (out.length > 4096 || out.includes(t)) {
      v.push({ path: path(), message: `queue does not terminate (cycle at ${hex(t)})` });
      break;
    }
    if (tcbWord(k, t, prev) !== p) v.push({ path: path(), message: `${hex(t)}'s back link is ${hex(tcbWord(k, t, prev))}, expected ${hex(p)}` });
    out.push(t);
    p = t;
  }
  if (p !== tail) v.push({ path: path(), message: `tail is ${hex(tail)} but the last queued thread is ${hex(p)}` });
  return out;
};

export const abstractEndpoint = (k: Kernel, ep: number, v: Violation[]): Endpoint => {
  const path = (): string => `objects[${hex(ep)}].queue`;
  const state = field(k, ep, EpL.state);
  const queue = walkQueue(k, field(k, ep, EpL.queueHead), field(k, ep, EpL.queueTail), Tcb.epNext, Tcb.epPrev, path, v);
  if (state === EP_IDLE) {
    if (queue.length > 0) v.push({ path: path(), message: 'idle endpoint with queued threads' });
    return { _tag: 'Endpoint', state: { _tag: 'IdleEP' } };
  }
  if (queue.length === 0) v.push({ path: path(), message: 'non-idle endpoint with an empty queue' });
  if (state !== EP_SEND && state !== EP_RECV) v.push({ path: path(), message: `unknown endpoint state ${state}` });
  return { _tag: 'Endpoint', state: { _tag: state === EP_SEND ? 'SendEP' : 'RecvEP', queue } };
};

export const abstractNotification = (k: Kernel, n: number, v: Violation[]): Notification => {
  const path = (): string => `objects[${hex(n)}].queue`;
  const state = field(k, n, NtfnL.state);
  const bound = field(k, n, NtfnL.boundTCB);
  const boundTCB = bound === 0 ? null : bound;
  if (state === NTFN_WAITING) {
    const queue = walkQueue(k, field(k, n, NtfnL.queueHead), field(k, n, NtfnL.queueTail), Tcb.epNext, Tcb.epPrev, path, v);
    if (queue.length === 0) v.push({ path: path(), message: 'waiting notification with an empty queue' });
    return { _tag: 'Notification', state: { _tag: 'WaitingNtfn', queue }, boundTCB };
  }
  if (state === NTFN_ACTIVE) return { _tag: 'Notification', state: { _tag: 'ActiveNtfn', badge: field(k, n, NtfnL.msgIdentifier) }, boundTCB };
  if (state !== NTFN_IDLE) v.push({ path: path(), message: `unknown notification state ${state}` });
  return { _tag: 'Notification', state: { _tag: 'IdleNtfn' }, boundTCB };
};

const rightsOfAP = (ap: number) => VM_RIGHTS[ap] ?? 'VMNoAccess';

const pteAttributes = (w: number, xn: number): VMAttributes => ({
  cacheable: getField(w, Pte.cacheable) === 1,
  parity: false,
  executeNever: xn === 1,
});

export const decodePTE = (w: number): PTE | undefined => {
  if (getField(w, Pte.small) === 1)
    return {
      _tag: 'SmallPagePTE',
      frame: getField(w, Pte.smallAddress),
      rights: rightsOfAP(getField(w, Pte.ap)),
      attributes: pteAttributes(w, getField(w, Pte.smallExecuteNever)),
    };
  if (getField(w, Pte.large) === 1)
    return {
      _tag: 'LargePagePTE',
      frame: getField(w, Pte.largeAddress),
      rights: rightsOfAP(getField(w, Pte.ap)),
      attributes: pteAttributes(w, getField(w, Pte.largeExecuteNever)),
    };
  return undefined;
};

export const decodePDE = (w: number): PDE | undefined => {
  switch (getField(w, Pde.type)) {
    case PDE_TYPE_COARSE:
      return { _tag: 'PageTablePDE', table: getField(w, Pde.coarseAddress), parity: getField(w, Pde.coarseParity) === 1 };
    case PDE_TYPE_SECTION: {
      const superSection = getField(w, Pde.superSection) === 1;
      const attributes: VMAttributes = {
        cacheable: getField(w, Pde.cacheable) === 1,
        parity: getField(w, Pde.parity) === 1,
        executeNever: getField(w, Pde.executeNever) === 1,
      };
      return superSection
        ? { _tag: 'SuperSectionPDE', frame: getField(w, Pde.superSectionAddress), rights: rightsOfAP(getField(w, Pde.ap)), attributes }
        : { _tag: 'SectionPDE', frame: getField(w, Pde.sectionAddress), rights: rightsOfAP(getField(w, Pde.ap)), attributes };
    }
    default:
      return undefined;
  }
};

/** The indices in [0, count) of the non-zero words of a table, skipping pages memory knows are zero. */
const nonZeroWords = (k: Kernel, base: number, count: number): number[] => {
  const out: number[] = [];
  forEachNonZeroWord(k, base, count, (i) => out.push(i));
  return out;
};

export const abstractPageTable = (k: Kernel, pt: number): PageTable => {
  const entries = new Map<number, PTE>();
  for (const i of nonZeroWords(k, pt, 256)) {
    const e = decodePTE(word(k, pt + 4 * i));
    if (e !== undefined) entries.set(i, e);
  }
  return { _tag: 'PageTable', entries };
};

export const abstractPageDirectory = (k: Kernel, pd: number): PageDirectory => {
  const entries = new Map<number, PDE>();
  for (const i of nonZeroWords(k, pd, KERNEL_PD_INDEX)) {
    const e = decodePDE(word(k, pd + 4 * i));
    if (e !== undefined) entries.set(i, e);
  }
  return { _tag: 'PageDirectory', entries };
};

export const abstractASIDPool = (k: Kernel, pool: number): ASIDPool => {
  const entries = new Map<number, PPtr>();
  for (const i of nonZeroWords(k, pool, 1024)) entries.set(i, word(k, pool + 4 * i));
  return { _tag: 'ASIDPool', entries };
};

export const abstractObject = (k: Kernel, p: number, g: GhostObject, v: Violation[]): KernelObject => {
  switch (g.type) {
    case 'TCB':
      return abstractTCB(k, p, v);
    case 'Endpoint':
      return abstractEndpoint(k, p, v);
    case 'Notification':
      return abstractNotification(k, p, v);
    case 'CNode':
      return { _tag: 'CNode', radix: g.sizeBits - 4 };
    case 'Frame':
      return { _tag: 'Frame', sizeBits: g.sizeBits as 12 | 16 | 20 | 24, isDevice: g.isDevice };
    case 'PageTable':
      return abstractPageTable(k, p);
    case 'PageDirectory':
      return abstractPageDirectory(k, p);
    case 'ASIDPool':
      return abstractASIDPool(k, p);
  }
};
