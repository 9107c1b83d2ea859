/**
 * Plans about threads: spawning a thread (in the caller's CSpace or its own),
 * with a role, scheduling parameters, optionally a bound notification, a fault
 * handler or another domain; pairs that talk (a client and a server on one
 * endpoint, a faulting thread and its handler); what a thread does when it is
 * current (Call, ReplyRecv, Recv, Signal, Wait...); TCB and domain
 * invocations; timer ticks, yields and faults.
 */
import {
  InitSlot,
  LABEL,
  ROOT_CNODE_PTR,
  ROOT_IPC_BUFFER_VADDR,
  ROOT_TCB_PTR,
  type SyscallEvent,
  SysCall,
  SysNBRecv,
  SysNBSend,
  SysRecv,
  SysReply,
  SysReplyRecv,
  SysSend,
  SysYield,
  messageInfo,
  syscallEvent,
} from '../../spec/api';
import { isFaultHandlerCap } from '../../spec/kernel/faultHandler';
import { getCap, getTCB, slotOf } from '../../spec/model/heap';
import type { KernelState } from '../../spec/model/state';
import { type PPtr, TCB_CALLER } from '../../spec/model/structures';
import { type Step, at, call, choose, cnodeCaps, hasQueuedSenderWithBadge, pick, untypeds } from './common';
import type { Invokable, View } from './view';
import { viewOf } from './view';
import type { RoleKind, World } from './world';

const CNODE = InitSlot.ThreadCNode;
const OWN_RADIX = 3;

const rootEmpty = (v: View, n: number): number | undefined => {
  const e = pick(
    v.empty.filter((t) => t.depth === 32 && t.slot >= ROOT_CNODE_PTR && t.slot < ROOT_CNODE_PTR + 2 ** 16),
    n,
  );
  return e === undefined ? undefined : (e.slot - ROOT_CNODE_PTR) / 16;
};

const ofTag = (v: View, tag: string): Invokable[] => v.invokable.filter((c) => c.cap._tag === tag);

/** An endpoint cap usable as a fault handler (Send and Grant or GrantReply). */
const handlerCaps = (v: View): Invokable[] => v.invokable.filter((c) => isFaultHandlerCap(c.cap));

/** A page directory cap with an ASID: what Configure and SetSpace accept as a VSpace root. */
const vspaceRoot = (v: View): number | undefined => v.invokable.find((c) => c.cap._tag === 'PageDirectoryCap' && c.cap.mappedASID !== null)?.cptr;

/** A non-device frame cap for IPC buffers. */
const bufferFrame = (v: View): number | undefined => v.invokable.find((c) => c.cap._tag === 'FrameCap' && !c.cap.isDevice && c.cap.rights === 'VMReadWrite')?.cptr;

/** A thread cap whose thread may hand out priority 255 (the MCP authority). */
const authority = (s: KernelState, v: View): number | undefined =>
  v.invokable.find((c) => c.cap._tag === 'ThreadCap' && s.objects.get(c.cap.tcb)?._tag === 'TCB' && getTCB(s, c.cap.tcb).mcp === 255)?.cptr;

const domainCap = (v: View): number | undefined => v.invokable.find((c) => c.cap._tag === 'DomainCap')?.cptr;

/** Whether the current thread names objects through the root task's CNode (so root-slot cptrs work). */
const sharesRootCSpace = (v: View): boolean => v.rootCNode === ROOT_CNODE_PTR;

const retypeStep =
  (type: number, size: number, n: number, into: (slot: number) => void): Step =>
  (s) => {
    const v = viewOf(s);
    if (!sharesRootCSpace(v)) return undefined;
    // Threads and their objects come from the big untypeds, out of the way of untyped-reuse plans.
    const big = untypeds(v).filter((u) => u.cap._tag === 'UntypedCap' && u.cap.blockSize >= 21 && !u.cap.isDevice);
    const ut = pick(big.length > 0 ? big : untypeds(v).filter((u) => u.cap._tag === 'UntypedCap' && !u.cap.isDevice), n);
    const dest = rootEmpty(v, n >>> 4);
    if (ut === undefined || dest === undefined) return undefined;
    into(dest);
    return call(ut.cptr, LABEL.UntypedRetype, [type, size, 0, 0, dest, 1], [CNODE]);
  };

const ROLE_KINDS: readonly RoleKind[] = ['server', 'client', 'client', 'waiter', 'notifier', 'handler', 'faulter', 'wanderer'];
/** The root task's priority once it has set the system up and stepped back (see `settle`). */
const SETTLED_PRIORITY = 100;
/**
 * Passive threads (servers, handlers, waiters) only run when woken: they sit
 * above the root task and act at once.
 */
const PASSIVE_PRIORITIES = [255, 255, 255, 254, 200];
/**
 * Active threads (clients, faulters, notifiers, wanderers) would keep the
 * processor: they share the root task's priority, so Yield and time slices
 * rotate them with it (below it they would starve; now and then one runs
 * above everyone but the servers, so a woken server can be below a ready
 * thread; TCB invocations vary priorities further).
 */
const ACTIVE_PRIORITIES = [
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  SETTLED_PRIORITY,
  255,
];
/** Servers, handlers and waiters only act when woken. */
export const isPassive = (role: RoleKind): boolean => role === 'server' || role === 'handler' || role === 'waiter';
const DOMAINS = [0, 0, 0, 0, 1, 2];

export interface SpawnSpec {
  readonly role?: RoleKind;
  /** Root-slot index of a notification to bind the thread to. */
  readonly bind?: () => number | undefined;
  /** Root-slot index of the role's object, if the caller decided it. */
  readonly object?: () => number | undefined;
  /** Root-slot index of the fault handler endpoint, if decided. */
  readonly faultEP?: () => number | undefined;
  /** The domain to put the thread in (pairs share one), else drawn. */
  readonly domain?: number;
  /** The thread's priority, else drawn for its role. */
  readonly priority?: number;
}

/** A domain for a thread or a pair of threads: mostly the root task's. */
const drawDomain = (n: number): number => DOMAINS[(n >>> 3) % DOMAINS.length] ?? 0;

/**
 * Spawn a thread: retype a TCB, maybe give it its own small CNode (with copies
 * of the caps its role needs), configure it, set its priority, maybe bind a
 * notification or move it to another domain, and resume it.
 */
export const spawn = (w: World, n: readonly number[], spec: SpawnSpec = {}): Step[] => {
  let tcbSlot: number | undefined;
  let ownCNode: number | undefined;
  let objectSlot: number | undefined;
  let faultSlot: number | undefined;
  const drawn: RoleKind = ROLE_KINDS[at(n, 1) % ROLE_KINDS.length] ?? 'wanderer';
  // A faulter without a handler would only die; make it a wanderer unless the plan pairs it.
  let role: RoleKind = spec.role ?? (drawn === 'faulter' && spec.faultEP === undefined ? 'wanderer' : drawn);
  const wantsOwn = at(n, 2) % 4 === 0;
  const steps: Step[] = [retypeStep(1, 0, at(n, 0), (slot) => (tcbSlot = slot))];
  // The role's object: an endpoint for IPC roles, a notification for signal roles.
  steps.push((s) => {
    const v = viewOf(s);
    const tag = role === 'waiter' || role === 'notifier' ? 'NotificationCap' : 'EndpointCap';
    const given = spec.object?.();
    const found = given !== undefined ? given : pick(ofTag(v, tag), at(n, 3))?.cptr;
    if (found !== undefined && found < 2 ** 12) {
      objectSlot = found;
      return undefined;
    }
    // None yet: make one.
    return retypeStep(tag === 'EndpointCap' ? 2 : 3, 0, at(n, 3), (slot) => (objectSlot = slot))(s);
  });
  steps.push((s) => {
    const given = spec.faultEP?.();
    if (given !== undefined) faultSlot = given;
    else if (at(n, 4) % 2 === 0) faultSlot = pick(handlerCaps(viewOf(s)), at(n, 4) >>> 1)?.cptr;
    if (role === 'faulter' && faultSlot === undefined) role = 'wanderer';
    return undefined;
  });
  if (wantsOwn) {
    steps.push(retypeStep(4, OWN_RADIX, at(n, 5), (slot) => (ownCNode = slot)));
    // Its CNode holds the role's object at index 1 and the fault handler at index 2.
    const copyIn =
      (index: number, src: () => number | undefined): Step =>
      () => {
        const from = src();
        if (ownCNode === undefined || from === undefined) return undefined;
        return call(ownCNode, LABEL.CNodeCopy, [index, OWN_RADIX, from, 32, 0xf], [CNODE]);
      };
    steps.push(
      copyIn(1, () => objectSlot),
      copyIn(2, () => faultSlot),
    );
  }
  steps.push((s) => {
    const v = viewOf(s);
    const pd = vspaceRoot(v);
    const frame = bufferFrame(v);
    if (tcbSlot === undefined || pd === undefined || frame === undefined) return undefined;
    const k = 1 + (w.spawned++ % 7);
    const buffer = at(n, 6) % 16 === 15 ? 0 : ROOT_IPC_BUFFER_VADDR + 512 * k;
    if (ownCNode !== undefined) {
      const data = (32 - OWN_RADIX) << 3;
      return call(tcbSlot, LABEL.TCBConfigure, [faultSlot === undefined ? 0 : 2, data, 0, buffer], [ownCNode, pd, frame]);
    }
    return call(tcbSlot, LABEL.TCBConfigure, [faultSlot ?? 0, 0, 0, buffer], [CNODE, pd, frame]);
  });
  steps.push((s) => {
    const auth = authority(s, viewOf(s));
    if (tcbSlot === undefined || auth === undefined) return undefined;
    const choices = isPassive(role) ? PASSIVE_PRIORITIES : ACTIVE_PRIORITIES;
    const prio = spec.priority ?? choices[at(n, 7) % choices.length] ?? SETTLED_PRIORITY;
    return call(tcbSlot, LABEL.TCBSetSchedParams, [prio, prio], [auth]);
  });
  // Servers often take signals through a bound notification; others sometimes.
  if (spec.bind !== undefined || at(n, 1) % 5 === 0 || ((role === 'server' || role === 'handler') && at(n, 5) % 2 === 0)) {
    steps.push((s) => {
      const v = viewOf(s);
      const given = spec.bind?.();
      if (given !== undefined && tcbSlot !== undefined) return call(tcbSlot, LABEL.TCBBindNotification, [], [given]);
      const free = ofTag(v, 'NotificationCap').filter((c) => c.cap._tag === 'NotificationCap' && c.cap.canReceive);
      const ntfn = pick(free, at(n, 3) >>> 2) ?? pick(ofTag(v, 'NotificationCap'), at(n, 3) >>> 2);
      return tcbSlot === undefined || ntfn === undefined ? undefined : call(tcbSlot, LABEL.TCBBindNotification, [], [ntfn.cptr]);
    });
  }
  const domain = spec.domain ?? drawDomain(at(n, 7));
  if (domain !== 0)
    steps.push((s) => {
      const dom = domainCap(viewOf(s));
      return tcbSlot === undefined || dom === undefined ? undefined : call(dom, LABEL.DomainSetSet, [domain], [tcbSlot]);
    });
  steps.push((s) => {
    if (tcbSlot === undefined) return undefined;
    const cap = getCap(s, slotOf(ROOT_CNODE_PTR, tcbSlot));
    if (cap._tag === 'ThreadCap') {
      const cptr = ownCNode !== undefined ? 1 : (objectSlot ?? 0);
      w.roles.set(cap.tcb, { kind: role, cptr });
      w.focus.remember(slotOf(ROOT_CNODE_PTR, tcbSlot));
    }
    return call(tcbSlot, LABEL.TCBResume, []);
  });
  return steps;
};

/** A client and a server on a fresh endpoint; half the time the client's cap is badged. */
export const channel = (w: World, n: readonly number[]): Step[] => {
  let ep: number | undefined;
  let clientCap: number | undefined;
  const steps: Step[] = [retypeStep(2, 0, at(n, 0), (slot) => (ep = slot))];
  steps.push((s) => {
    if (ep === undefined) return undefined;
    const dest = rootEmpty(viewOf(s), at(n, 1));
    if (dest === undefined) return undefined;
    clientCap = dest;
    const badge = at(n, 2) % 2 === 0 ? 0 : 1 + (at(n, 2) % 7);
    // Mostly all rights; sometimes Grant without GrantReply or the reverse, no receive right or no send right;
    // rarely no grant at all (a Call then makes no reply cap).
    const rights = [0xf, 0xf, 0xf, 0xf, 0x7, 0xb, 0x9, 0xf, 0xf, 0xe, 0x7, 0xb, 0xd, 0xf, 0xf, 0x3][at(n, 3) % 16] ?? 0xf;
    return call(CNODE, LABEL.CNodeMint, [dest, 32, ep, 32, rights, badge], [CNODE]);
  });
  return [
    ...steps,
    ...spawn(w, [at(n, 4), 0, at(n, 5), 0, at(n, 6), at(n, 5), at(n, 6), at(n, 7)], {
      role: 'server',
      object: () => ep,
      domain: drawDomain(at(n, 1)),
    }),
    ...spawn(w, [at(n, 5), 1, at(n, 6), 0, at(n, 7), at(n, 4), at(n, 4), at(n, 6)], {
      role: 'client',
      object: () => clientCap ?? ep,
      domain: drawDomain(at(n, 1)),
    }),
  ];
};

/** A server bound to a notification, and a thread that signals it. */
export const signalPair = (w: World, n: readonly number[]): Step[] => {
  let ntfn: number | undefined;
  return [
    retypeStep(3, 0, at(n, 0), (slot) => (ntfn = slot)),
    ...spawn(w, [at(n, 1), 0, at(n, 2), 0, at(n, 3), at(n, 4), at(n, 5), at(n, 6)], {
      role: 'server',
      bind: () => ntfn,
      domain: drawDomain(at(n, 0)),
    }),
    // The notifier signals through a badged copy (so badges accumulate), or the original.
    (s) => {
      if (ntfn === undefined || at(n, 7) % 3 === 0) return undefined;
      const dest = rootEmpty(viewOf(s), at(n, 5));
      if (dest === undefined) return undefined;
      const original = ntfn;
      ntfn = dest;
      return call(CNODE, LABEL.CNodeMint, [dest, 32, original, 32, 0xf, 1 << (at(n, 6) % 28)], [CNODE]);
    },
    ...spawn(w, [at(n, 2), 4, at(n, 3), 0, at(n, 4), at(n, 5), at(n, 6), at(n, 7)], {
      role: 'notifier',
      object: () => ntfn,
      domain: drawDomain(at(n, 0)),
    }),
  ];
};

/**
 * Senders of two badges queued on an endpoint nobody receives on, and a
 * CancelBadgedSends that has to pick one badge's senders out of the queue:
 * three clients (badges b, b', b in a drawn order) at the root task's
 * priority are resumed, the root task yields so each of them calls and
 * blocks, then it cancels one badge.
 */
export const badgedSenders = (w: World, n: readonly number[]): Step[] => {
  let ep: number | undefined;
  const badged: number[] = [];
  const badge = 1 + (at(n, 1) % 5);
  const mint =
    (b: number): Step =>
    (s) => {
      const dest = rootEmpty(viewOf(s), at(n, 2) + b);
      if (ep === undefined || dest === undefined) return undefined;
      badged.push(dest);
      return call(CNODE, LABEL.CNodeMint, [dest, 32, ep, 32, 0xf, b], [CNODE]);
    };
  // Which badge each client calls with: b, b', b mostly, b', b, b a third of the time.
  const order = [1, 3].includes(at(n, 3) % 6) ? [1, 0, 0] : [0, 1, 0];
  const client = (i: number): Step[] =>
    spawn(w, [at(n, 4) + i, 1, at(n, 5) + i, 0, at(n, 6), at(n, 4), at(n, 6) + i, at(n, 7)], {
      role: 'client',
      object: () => badged[order[i] ?? 0],
      domain: 0,
      priority: 255,
    });
  // Until the root task is back, whichever thread runs does what its role does (our clients call and block: no one receives).
  const turn =
    (i: number): Step =>
    (s) => {
      if (s.curThread === ROOT_TCB_PTR) return undefined;
      const role = w.roles.get(s.curThread);
      return role?.kind === 'client' && badged.includes(role.cptr)
        ? ipcCall(SysCall, role.cptr, at(n, 7) & ~0x3f)
        : ipc(
            w,
            n.map((x) => x + i),
          )(s);
    };
  // The set-up is the root task's (a step that finds another thread current does nothing).
  const byRoot =
    (step: Step): Step =>
    (s) =>
      s.curThread === ROOT_TCB_PTR ? step(s) : undefined;
  return [
    ...[retypeStep(2, 0, at(n, 0), (slot) => (ep = slot)), mint(badge), mint(badge + 1), ...client(0), ...client(1), ...client(2)].map(byRoot),
    byRoot(() => syscallEvent({ sysno: SysYield })),
    ...Array.from({ length: 8 }, (_, i) => turn(i)),
    byRoot((s) => {
      // The badge some queued sender has, if any; else either.
      const queued = badged.find((slot) => hasQueuedSenderWithBadge(s, getCap(s, slotOf(ROOT_CNODE_PTR, slot))));
      const target = (at(n, 1) % 2 === 0 ? queued : undefined) ?? badged[at(n, 1) % 2];
      return target === undefined ? undefined : call(CNODE, LABEL.CNodeCancelBadgedSends, [target, 32]);
    }),
  ];
};

/** A thread that faults and the thread that handles its faults, through one endpoint. */
export const faultPair = (w: World, n: readonly number[]): Step[] => {
  let ep: number | undefined;
  return [
    retypeStep(2, 0, at(n, 0), (slot) => (ep = slot)),
    ...spawn(w, [at(n, 1), 5, at(n, 2), 0, at(n, 3), at(n, 4), at(n, 5), at(n, 6)], {
      role: 'handler',
      object: () => ep,
      domain: drawDomain(at(n, 0)),
    }),
    ...spawn(w, [at(n, 2), 6, at(n, 3), 0, 0, at(n, 5), at(n, 6), at(n, 7)], {
      role: 'faulter',
      object: () => ep,
      faultEP: () => ep,
      domain: drawDomain(at(n, 0)),
    }),
  ];
};

// ---------------------------------------------------------------- what the current thread does

/** Mostly short messages (what the fastpath carries), sometimes longer ones that need the IPC buffer. */
const MESSAGE_LENGTHS = [0, 1, 2, 3, 4, 2, 1, 0, 4, 5, 7, 12];

/** A message's length (at times past what fits, as the info word allows) and the words a thread writes (at most 12). */
const messageLength = (n: number): number => choose(n, MESSAGE_LENGTHS, [120, 121, 127]);
const message = (n: number): number[] => Array.from({ length: Math.min(messageLength(n), 12) }, (_, i) => (n * 2654435761 + i * 97) >>> 16);

const ipcCall = (sysno: number, cptr: number, n: number, extra: { caps?: number[]; recv?: { cnode: number; index: number; depth: number } } = {}): SyscallEvent => {
  const mrs = message(n);
  const caps = extra.caps ?? [];
  const info = messageInfo((n >>> 3) % 8, 0, caps.length, messageLength(n));
  return syscallEvent({ sysno, cptr, info, mrs, caps, ...(extra.recv === undefined ? {} : { recv: extra.recv }) });
};

/** A receive slot in the root CNode for incoming caps (for threads sharing it). */
const receiveSlot = (v: View, n: number) => {
  const dest = pick(
    v.empty.filter((t) => t.depth === 32),
    n,
  );
  const cnode = cnodeCaps(v)[0];
  return dest === undefined || cnode === undefined ? undefined : { cnode: dest.root, index: dest.index, depth: dest.depth };
};

/** How many extra caps a message carries: mostly none (what the fastpath takes), else one to three alike. */
const EXTRA_CAP_COUNTS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3];

/**
 * A message's extra caps: a mix of the endpoint cap it goes through (the
 * receiver gets its badge: unwrapped) and other caps the thread holds (the
 * first of those is transferred into the receive slot, the next ones are not:
 * a receiver has one slot), in an order drawn from `n`.
 */
const extraCaps = (v: View, ep: Invokable | undefined, n: number): number[] => {
  const count = EXTRA_CAP_COUNTS[n % EXTRA_CAP_COUNTS.length] ?? 0;
  return Array.from({ length: count }, (_, i) => {
    const m = (n >>> (4 + 3 * i)) & 7;
    return (m < 3 && ep !== undefined ? ep : pick(v.invokable, (n >>> 2) + 7 * i + m))?.cptr ?? 0;
  });
};

const hasCaller = (s: KernelState, t: PPtr): boolean => getCap(s, slotOf(t, TCB_CALLER))._tag === 'ReplyCap';

/**
 * What the current thread does next in IPC terms, biased by its role: a server
 * replies and waits, a client calls, a handler takes faults and answers them,
 * a waiter waits, a notifier signals; anyone may also poll, yield or send.
 */
export const ipc =
  (w: World, n: readonly number[]): Step =>
  (s) => {
    const v = viewOf(s);
    const t = s.curThread;
    const role = w.roles.get(t);
    const eps = ofTag(v, 'EndpointCap');
    const ntfns = ofTag(v, 'NotificationCap');
    const own = role === undefined ? undefined : v.invokable.find((c) => c.cptr === role.cptr);
    const ep = own?.cap._tag === 'EndpointCap' ? own : pick(eps, at(n, 0));
    // Notifiers prefer notifications bound to a thread: that is where signals wake receivers.
    const bound = ntfns.filter(
      (c) => c.cap._tag === 'NotificationCap' && s.objects.get(c.cap.ptr)?._tag === 'Notification' && (s.objects.get(c.cap.ptr) as { boundTCB: number | null }).boundTCB !== null,
    );
    const ntfn =
      own?.cap._tag === 'NotificationCap' && !(role?.kind === 'notifier' && bound.length > 0 && at(n, 0) % 2 === 0)
        ? own
        : pick(bound.length > 0 && at(n, 0) % 2 === 0 ? bound : ntfns, at(n, 0));
    const r = at(n, 1) % 16;
    const recv = r % 3 !== 2 ? receiveSlot(v, at(n, 2)) : undefined;
    const caps = extraCaps(v, ep, at(n, 3));
    const kind = role?.kind ?? 'wanderer';
    if (r === 15) return syscallEvent({ sysno: SysYield });
    // The root task (no role) mostly lets the threads it made run (stepping back first if it has not),
    // and otherwise only sends without blocking.
    if (role === undefined && w.roles.size > 0) {
      if (t === ROOT_TCB_PTR && getTCB(s, t).priority > SETTLED_PRIORITY) return settle()(s) ?? syscallEvent({ sysno: SysYield });
      if (r < 13) return syscallEvent({ sysno: SysYield });
      // Now and then a server waiting for clients drops below them: the Call that wakes it
      // must not let it run before the others (the fastpath has to stand aside).
      if (r === 13 && at(n, 5) % 4 === 0) {
        const waiting = ofTag(v, 'ThreadCap').find(
          (c) =>
            c.cap._tag === 'ThreadCap' &&
            w.roles.get(c.cap.tcb)?.kind === 'server' &&
            getTCB(s, c.cap.tcb).state._tag === 'BlockedOnReceive' &&
            getTCB(s, c.cap.tcb).priority > SETTLED_PRIORITY,
        );
        if (waiting !== undefined) return call(waiting.cptr, LABEL.TCBSetPriority, [SETTLED_PRIORITY / 2], [InitSlot.ThreadTCB]);
      }
      const target = pick([...eps, ...ntfns], at(n, 5));
      return target === undefined ? syscallEvent({ sysno: SysYield }) : ipcCall(SysNBSend, target.cptr, at(n, 4));
    }
    switch (kind) {
      case 'server':
      case 'handler':
        if (ep === undefined) break;
        if (hasCaller(s, t)) {
          if (r === 14) return syscallEvent({ sysno: SysReply, info: 0, mrs: message(at(n, 4)) });
          if (r === 13) {
            const dest = pick(
              v.empty.filter((x) => x.depth === 32),
              at(n, 5),
            );
            if (dest !== undefined) return call(dest.root, LABEL.CNodeSaveCaller, [dest.index, dest.depth]);
          }
          // Now and then the reply goes with a wait on some other endpoint cap (maybe one it may not receive on).
          // A server can signal its own bound notification: its next wait then finds the signal pending.
          if (r === 11) {
            const bound = getTCB(s, t).boundNotification;
            const own = bound === null ? undefined : ntfns.find((c) => c.cap._tag === 'NotificationCap' && c.cap.ptr === bound && c.cap.canSend);
            if (own !== undefined) return ipcCall(SysNBSend, own.cptr, at(n, 4));
          }
          if (r === 12) {
            const other = pick(eps, at(n, 5));
            if (other !== undefined) return ipcCall(SysReplyRecv, other.cptr, at(n, 4));
          }
          // A handler's reply restarts the faulting thread only with label 0: it mostly uses that.
          const e = ipcCall(SysReplyRecv, ep.cptr, at(n, 4), recv === undefined ? {} : { recv });
          return kind === 'handler' && r % 5 !== 0 ? { ...e, info: (e.info ?? 0) & 0xfff } : e;
        }
        return ipcCall(r === 12 ? SysNBRecv : SysRecv, ep.cptr, at(n, 4), recv === undefined ? {} : { recv });
      case 'client':
        if (ep === undefined) break;
        return ipcCall(r < 11 ? SysCall : r < 13 ? SysSend : SysNBSend, ep.cptr, at(n, 4), { caps });
      case 'waiter':
        if (ntfn === undefined) break;
        return ipcCall(r < 12 ? SysRecv : SysNBRecv, ntfn.cptr, at(n, 4));
      case 'notifier':
        if (ntfn === undefined) break;
        // A notifier never blocks: it steps aside now and then so others at its priority run.
        if (r >= 11) return syscallEvent({ sysno: SysYield });
        return ipcCall(r < 6 ? SysSend : r < 9 ? SysNBSend : SysCall, ntfn.cptr, at(n, 4));
      case 'faulter':
        return r < 6 ? { kind: 'exception' } : r < 10 ? syscallEvent({ sysno: [-9, 5, 1000][r % 3] ?? -9 }) : call(0xdead_0000 + r, 0, [], [], r % 2 === 0 ? SysCall : SysSend);
      default:
        break;
    }
    // No role (or nothing to act on): a random IPC over whatever the thread holds.
    const replies = ofTag(v, 'ReplyCap');
    const anyCap = pick([...eps, ...ntfns, ...replies], at(n, 5));
    if (anyCap === undefined) return syscallEvent({ sysno: SysYield });
    const sysno = [SysCall, SysSend, SysNBSend, SysRecv, SysNBRecv, SysReplyRecv, SysReply][at(n, 6) % 7] ?? SysCall;
    return ipcCall(sysno, anyCap.cptr, at(n, 4), { caps, ...(recv === undefined ? {} : { recv }) });
  };

// ---------------------------------------------------------------- TCB and domain invocations

const TCB_LABELS = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13, 14, 15, 16];

/** A TCB invocation on some thread, with arguments near their boundaries. */
export const tcbOp =
  (w: World, n: readonly number[]): Step =>
  (s) => {
    const v = viewOf(s);
    const tcbs = ofTag(v, 'ThreadCap');
    const label = TCB_LABELS[at(n, 1) % TCB_LABELS.length] ?? 12;
    // Suspending or reprioritising the thread that runs the show is rare but allowed.
    const disruptive = label === 6 || label === 8 || label === 11 || label === 5 || label === 10;
    const target = w.focus.pick(disruptive && at(n, 6) % 8 !== 0 ? tcbs.filter((c) => c.cap._tag === 'ThreadCap' && c.cap.tcb !== v.thread) : tcbs, at(n, 0));
    if (target === undefined) return undefined;
    const any = (i: number) => pick(v.invokable, at(n, i))?.cptr ?? 0;
    const prio = choose(at(n, 2), [255, 254, 200, 100, 0], [256, 300, 0xffffffff]);
    switch (label) {
      case 2:
        return call(target.cptr, label, [at(n, 3) % 2, choose(at(n, 4), [1, 2, 4, 10, 19], [0, 20, 0xffffffff])]);
      case 3: {
        const count = choose(at(n, 4), [0, 1, 2], [19, 20]);
        return call(target.cptr, label, [at(n, 3) % 2, count, ...Array.from({ length: Math.min(count, 6) }, (_, i) => (at(n, 5) * (i + 1)) >>> 0)]);
      }
      case 4:
        return call(target.cptr, label, [at(n, 3) % 16], [pick(tcbs, at(n, 5))?.cptr ?? any(5)]);
      case 5:
        return call(
          target.cptr,
          label,
          [any(6), 0, 0, choose(at(n, 3), [0, ROOT_IPC_BUFFER_VADDR + 512 * (at(n, 3) % 8)], [ROOT_IPC_BUFFER_VADDR + 4])],
          [CNODE, InitSlot.ThreadVSpace, InitSlot.ThreadIPCBuffer],
        );
      case 6:
      case 7:
        return call(target.cptr, label, [prio], [pick(tcbs, at(n, 5))?.cptr ?? InitSlot.ThreadTCB]);
      case 8:
        return call(target.cptr, label, [prio, choose(at(n, 6), [255, 100, 0], [256])], [pick(tcbs, at(n, 5))?.cptr ?? InitSlot.ThreadTCB]);
      case 9:
        return call(
          target.cptr,
          label,
          [choose(at(n, 3), [0, ROOT_IPC_BUFFER_VADDR + 512 * (at(n, 3) % 8)], [ROOT_IPC_BUFFER_VADDR + 100])],
          [at(n, 4) % 4 === 0 ? any(5) : InitSlot.ThreadIPCBuffer],
        );
      case 10:
        return call(target.cptr, label, [any(6), 0, 0], [at(n, 4) % 4 === 0 ? any(5) : CNODE, InitSlot.ThreadVSpace]);
      case 13:
        return call(target.cptr, label, [], [pick(ofTag(v, 'NotificationCap'), at(n, 5))?.cptr ?? any(5)]);
      case 15:
        return call(target.cptr, label, [at(n, 3)]);
      case 16:
        return call(target.cptr, label, [at(n, 3), at(n, 4)]);
      default:
        // Suspend (11), Resume (12), UnbindNotification (14).
        return call(target.cptr, label, []);
    }
  };

/** Move a thread between domains, or edit the domain schedule. */
export const domainOp =
  (n: readonly number[]): Step =>
  (s) => {
    const v = viewOf(s);
    const dom = ofTag(v, 'DomainCap')[0];
    if (dom === undefined) return undefined;
    // Moving the thread that runs the show to another domain is rare but allowed.
    const tcbs = ofTag(v, 'ThreadCap').filter((c) => at(n, 6) % 8 === 0 || (c.cap._tag === 'ThreadCap' && c.cap.tcb !== v.thread));
    const tcb = pick(tcbs, at(n, 0));
    switch (at(n, 1) % 4) {
      case 0:
      case 1:
        return call(dom.cptr, LABEL.DomainSetSet, [choose(at(n, 2), [0, 1, 2, 0], [15, 16])], tcb === undefined ? [] : [tcb.cptr]);
      case 2:
        return call(dom.cptr, LABEL.DomainScheduleConfigure, [choose(at(n, 3), [1, 2, 3, 4], [98, 99, 0]), at(n, 4) % 3, choose(at(n, 5), [5, 10, 20], [0]), 0]);
      default:
        return call(dom.cptr, LABEL.DomainScheduleSetStart, [choose(at(n, 3), [0, 1, 2], [99, 100])]);
    }
  };

/** Raise the current thread's fault (an undefined instruction, an unknown syscall, an invalid cap). */
export const fault =
  (n: readonly number[]): Step =>
  (s) => {
    // Without a handler a fault stops the thread for good: that stays rare. The
    // root task, which the rest of the trace needs, does not fault on purpose.
    if (s.curThread === ROOT_TCB_PTR || (!viewOf(s).hasFaultHandler && at(n, 0) % 8 !== 0)) return undefined;
    switch (at(n, 2) % 3) {
      case 0:
        return { kind: 'exception' };
      case 1:
        return syscallEvent({ sysno: [-9, 3, 77][at(n, 3) % 3] ?? -9 });
      default:
        return syscallEvent({ sysno: [SysCall, SysRecv][at(n, 3) % 2] ?? SysCall, cptr: 0x1000_0000 + at(n, 4) });
    }
  };

// ---------------------------------------------------------------- tearing down

/**
 * Delete an object that threads are blocked on: revoke its original cap (the
 * one whose parent is an untyped) and delete that too, so the last cap goes
 * and the waiters are cancelled (or, for a thread, it is destroyed).
 */
export const teardown = (n: readonly number[]): Step[] => {
  let target: { index: number } | undefined;
  return [
    (s) => {
      const v = viewOf(s);
      if (!sharesRootCSpace(v)) return undefined;
      // Rarely, the ASID pool goes (every address space loses its ASID), or the root task's
      // VSpace cap is revoked (every thread sharing it loses its VSpace root): the fastpath then stands aside.
      if (at(n, 1) % 64 === 0 && getCap(s, slotOf(ROOT_CNODE_PTR, InitSlot.ThreadASIDPool))._tag === 'ASIDPoolCap')
        return call(CNODE, LABEL.CNodeDelete, [InitSlot.ThreadASIDPool, 32]);
      if (at(n, 1) % 64 === 1) return call(CNODE, LABEL.CNodeRevoke, [InitSlot.ThreadVSpace, 32]);
      const busy = new Set<number>();
      for (const [p, o] of s.objects) {
        if (o._tag === 'Endpoint' && o.state._tag !== 'IdleEP') busy.add(p);
        if (o._tag === 'Notification' && o.state._tag === 'WaitingNtfn') busy.add(p);
        if (o._tag === 'TCB' && o.state._tag.startsWith('Blocked') && p !== s.curThread) busy.add(p);
      }
      const originals = v.full.filter((t) => {
        const c = t.cap;
        const obj = c._tag === 'EndpointCap' || c._tag === 'NotificationCap' ? c.ptr : c._tag === 'ThreadCap' ? c.tcb : undefined;
        const parent = s.cdt.parent.get(t.slot);
        return obj !== undefined && busy.has(obj) && parent !== undefined && s.caps.get(parent)?._tag === 'UntypedCap' && t.depth === 32;
      });
      const t = pick(originals, at(n, 0));
      if (t === undefined) return undefined;
      target = { index: t.index };
      return call(t.root, LABEL.CNodeRevoke, [t.index, 32]);
    },
    () => (target === undefined ? undefined : call(CNODE, LABEL.CNodeDelete, [target.index, 32])),
  ];
};

/** The root task, set up, steps back: it lowers its own priority so the threads it made run first. */
export const settle = (): Step => (s) => {
  const v = viewOf(s);
  const self = v.invokable.find((c) => c.cap._tag === 'ThreadCap' && c.cap.tcb === v.thread);
  if (self === undefined) return undefined;
  return call(self.cptr, LABEL.TCBSetPriority, [SETTLED_PRIORITY], [self.cptr]);
};
