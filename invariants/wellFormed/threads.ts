/**
 * Threads, IPC queues, reply caps, bound notifications and the scheduler.
 *
 * The invariants are checked at the end of a kernel entry, after `schedule`
 * and `activateThread`, so the scheduler action is `ResumeCurrentThread`
 * whenever they run. Each follows a definition in l4v's abstract invariant
 * proofs (proof/invariant-abstract/Invariants_AI.thy for `invs`,
 * DetSchedInvs_AI.thy for `valid_sched`), restricted to what our non-MCS
 * model keeps: the Isabelle names are given with each function.
 */
import { IPC_BUFFER_SIZE_BITS, MAX_PRIO, NUM_DOMAINS } from '../../spec/api/config';
import { getCap, slotOf } from '../../spec/model/heap';
import { type KernelState, readyQueueIndex } from '../../spec/model/state';
import {
  type Endpoint,
  type Notification,
  type PPtr,
  type SlotPtr,
  type TCB,
  type ThreadState,
  TCB_BUFFER,
  TCB_CALLER,
  TCB_REPLY,
  TCB_VTABLE,
  isRunnable,
} from '../../spec/model/structures';
import { type Violation, hex } from '../violation';
import { type Subjects, wholeSubjects } from './scope';

// ---------------------------------------------------------------- helpers

const getTcb = (s: KernelState, p: PPtr): TCB | undefined => {
  const o = s.objects.get(p);
  return o?._tag === 'TCB' ? o : undefined;
};

const epQueue = (e: Endpoint): readonly PPtr[] => (e.state._tag === 'IdleEP' ? [] : e.state.queue);
const ntfnQueue = (n: Notification): readonly PPtr[] => (n.state._tag === 'WaitingNtfn' ? n.state.queue : []);

const count = <A>(xs: readonly A[], a: A): number => xs.reduce((k, x) => (x === a ? k + 1 : k), 0);

/** The state a thread in this endpoint queue must be in, by the queue's direction. */
const queueDirection = (e: Endpoint): 'BlockedOnSend' | 'BlockedOnReceive' | undefined =>
  e.state._tag === 'SendEP' ? 'BlockedOnSend' : e.state._tag === 'RecvEP' ? 'BlockedOnReceive' : undefined;

const describeState = (st: ThreadState): string => {
  switch (st._tag) {
    case 'BlockedOnSend':
    case 'BlockedOnReceive':
      return `${st._tag} ${hex(st.ep)}`;
    case 'BlockedOnNotification':
      return `${st._tag} ${hex(st.ntfn)}`;
    default:
      return st._tag;
  }
};

const queueName = (index: number): string => `domain ${Math.floor(index / 256)}, priority ${index % 256}`;

// ---------------------------------------------------------------- 1. thread states and IPC queues

/**
 * `threadsInTheirQueues`: a thread blocked on an endpoint or notification sits
 * exactly once in that object's queue, and the queue runs in the direction of
 * its state (a sender in a SendEP, a receiver in a RecvEP, a waiter in a
 * WaitingNtfn). The thread-to-object half of l4v's `sym_refs (state_refs_of s)`
 * (the TCBBlockedSend / TCBBlockedRecv / TCBSignal refs), with
 * `valid_tcb_state` (the object named is an endpoint, resp. a notification).
 */
export const threadsInTheirQueues = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [t, tcb] of at.tcbs) {
    const st = tcb.state;
    const path = (): string => `objects[${hex(t)}].state`;
    if (st._tag === 'BlockedOnSend' || st._tag === 'BlockedOnReceive') {
      const o = s.objects.get(st.ep);
      if (o?._tag !== 'Endpoint') {
        v.push({
          path: path(),
          message: `${st._tag} names ${hex(st.ep)}, which is ${o === undefined ? 'no object' : `a ${o._tag}`}, not an endpoint`,
        });
        continue;
      }
      const dir = queueDirection(o);
      if (dir !== st._tag) {
        v.push({ path: path(), message: `${st._tag} on ${hex(st.ep)}, but that endpoint is ${o.state._tag}` });
        continue;
      }
      const n = count(epQueue(o), t);
      if (n !== 1) v.push({ path: path(), message: `${st._tag} on ${hex(st.ep)}, but its queue holds this thread ${n} times` });
    } else if (st._tag === 'BlockedOnNotification') {
      const o = s.objects.get(st.ntfn);
      if (o?._tag !== 'Notification') {
        v.push({
          path: path(),
          message: `BlockedOnNotification names ${hex(st.ntfn)}, which is ${o === undefined ? 'no object' : `a ${o._tag}`}, not a notification`,
        });
        continue;
      }
      const n = count(ntfnQueue(o), t);
      if (n !== 1) v.push({ path: path(), message: `BlockedOnNotification on ${hex(st.ntfn)} (${o.state._tag}), but its queue holds this thread ${n} times` });
    }
  }
  return v;
};

/**
 * `queuesHoldBlockedThreads`: every thread in an endpoint or notification
 * queue is a TCB blocked on that very object in the queue's direction. The
 * object-to-thread half of l4v's `sym_refs` (EPSend / EPRecv / NTFNSignal
 * refs) with `valid_ep` / `valid_ntfn` (queue members are TCBs). Since an
 * endpoint queue has one direction, an endpoint never holds senders and
 * receivers at once.
 */
export const queuesHoldBlockedThreads = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const check = (obj: PPtr, queue: readonly PPtr[], want: ThreadState['_tag'], what: string) =>
    queue.forEach((t, i) => {
      const path = (): string => `objects[${hex(obj)}].state.queue[${i}]`;
      const tcb = getTcb(s, t);
      if (tcb === undefined) {
        v.push({ path: path(), message: `${hex(t)} is queued on this ${what}, but it is not a TCB` });
        return;
      }
      const st = tcb.state;
      const on = st._tag === 'BlockedOnSend' || st._tag === 'BlockedOnReceive' ? st.ep : st._tag === 'BlockedOnNotification' ? st.ntfn : undefined;
      if (st._tag !== want || on !== obj) v.push({ path: path(), message: `thread ${hex(t)} is ${describeState(st)}, expected ${want} ${hex(obj)}` });
    });
  for (const [p, e] of at.endpoints) {
    const want = queueDirection(e);
    if (want !== undefined) check(p, epQueue(e), want, 'endpoint');
  }
  for (const [p, n] of at.notifications) check(p, ntfnQueue(n), 'BlockedOnNotification', 'notification');
  return v;
};

/**
 * `queuesWellFormed`: a non-idle endpoint and a waiting notification have a
 * non-empty queue without repeats, and no thread waits in two queues (an
 * idle endpoint or a notification that is idle or active has no queue by
 * construction). l4v: `valid_ep`, `valid_ntfn` (ts ≠ [], distinct ts); a
 * thread in two queues would give it two state refs, against `sym_refs`.
 * After a step only the queues it changed are visited, so a second queue
 * may go unseen here: but a thread in two queues is blocked on at most one
 * of them, which queuesHoldBlockedThreads reports on the changed one.
 */
export const queuesWellFormed = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const firstSeen = new Map<PPtr, string>();
  const check = (obj: PPtr, tag: string, queue: readonly PPtr[]) => {
    const path = (): string => `objects[${hex(obj)}].state`;
    if (queue.length === 0) v.push({ path: path(), message: `${tag} with an empty queue (it should be idle)` });
    queue.forEach((t, i) => {
      if (queue.indexOf(t) !== i) {
        v.push({ path: `${path()}.queue[${i}]`, message: `thread ${hex(t)} is queued here twice` });
        return;
      }
      const other = firstSeen.get(t);
      if (other !== undefined) v.push({ path: `${path()}.queue[${i}]`, message: `thread ${hex(t)} also waits in ${other}` });
      else firstSeen.set(t, path());
    });
  };
  for (const [p, e] of at.endpoints) if (e.state._tag !== 'IdleEP') check(p, e.state._tag, e.state.queue);
  for (const [p, n] of at.notifications) if (n.state._tag === 'WaitingNtfn') check(p, 'WaitingNtfn', n.state.queue);
  return v;
};

// ---------------------------------------------------------------- 3. reply caps

/**
 * `replyCapsToCallers`: a (non-master) reply cap to T exists only while T is
 * BlockedOnReply, and there is at most one per T. l4v: `valid_reply_caps`
 * (has_reply_cap t → awaiting_reply; unique_reply_caps).
 */
export const replyCapsToCallers = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const seen = new Map<PPtr, SlotPtr>();
  for (const [slot, c] of at.caps) {
    if (c._tag !== 'ReplyCap' || c.master) continue;
    const path = (): string => `caps[${hex(slot)}]`;
    const tcb = getTcb(s, c.tcb);
    if (tcb === undefined) v.push({ path: path(), message: `a reply cap to ${hex(c.tcb)}, which is not a TCB` });
    else if (tcb.state._tag !== 'BlockedOnReply') v.push({ path: path(), message: `a reply cap to ${hex(c.tcb)}, which is ${describeState(tcb.state)}, not BlockedOnReply` });
    const other = seen.get(c.tcb);
    if (other !== undefined) v.push({ path: path(), message: `a second reply cap to ${hex(c.tcb)} (another is at ${hex(other)})` });
    else seen.set(c.tcb, slot);
  }
  return v;
};

/**
 * `replyMastersInReplySlots`: a master reply cap to T lives only in T's reply
 * slot, and T's reply slot holds the master reply cap to T with grant right,
 * or is empty while T is halted (Inactive or idle). l4v: `valid_reply_masters`,
 * and the reply-slot clause of `tcb_cap_cases` in `valid_tcb`.
 */
export const replyMastersInReplySlots = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [slot, c] of at.caps) {
    if (c._tag === 'ReplyCap' && c.master && slot !== slotOf(c.tcb, TCB_REPLY))
      v.push({
        path: `caps[${hex(slot)}]`,
        message: `a master reply cap to ${hex(c.tcb)} outside that thread's reply slot ${hex(slotOf(c.tcb, TCB_REPLY))}`,
      });
  }
  for (const [t, tcb] of at.tcbs) {
    const slot = slotOf(t, TCB_REPLY);
    const c = getCap(s, slot);
    const path = (): string => `caps[${hex(slot)}]`;
    if (c._tag === 'NullCap') {
      const halted = tcb.state._tag === 'Inactive' || tcb.state._tag === 'IdleThreadState';
      if (!halted) v.push({ path: path(), message: `the reply slot of ${hex(t)} is empty, but the thread is ${describeState(tcb.state)}, not halted` });
    } else if (c._tag !== 'ReplyCap' || !c.master || c.tcb !== t || !c.canGrant) {
      v.push({
        path: path(),
        message: `the reply slot of ${hex(t)} holds ${c._tag === 'ReplyCap' ? `a ${c.master ? 'master' : 'non-master'} reply cap to ${hex(c.tcb)}${c.canGrant ? '' : ' without grant'}` : `a ${c._tag}`}, not its own master reply cap`,
      });
    }
  }
  return v;
};

/**
 * `callerSlotsHoldReplyCaps`: a TCB's caller slot holds a non-master reply cap
 * or nothing, and nothing while the thread is BlockedOnReceive (a new receive
 * deletes the unused one first). l4v: the caller-slot clause of
 * `tcb_cap_cases` in `valid_tcb`.
 */
export const callerSlotsHoldReplyCaps = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [t, tcb] of at.tcbs) {
    const slot = slotOf(t, TCB_CALLER);
    const c = getCap(s, slot);
    if (c._tag === 'NullCap') continue;
    const path = (): string => `caps[${hex(slot)}]`;
    if (c._tag !== 'ReplyCap' || c.master) v.push({ path: path(), message: `the caller slot of ${hex(t)} holds a ${c._tag === 'ReplyCap' ? 'master reply cap' : c._tag}` });
    else if (tcb.state._tag === 'BlockedOnReceive') v.push({ path: path(), message: `the caller slot of ${hex(t)} holds a reply cap while the thread is BlockedOnReceive` });
  }
  return v;
};

/**
 * `replyCapsInCdt`: a master reply cap is an original cap with no parent and
 * only reply caps to its own thread as children; a non-master reply cap is a
 * child of the master reply cap to the same thread. l4v: `reply_caps_mdb`,
 * `reply_masters_mdb` and `reply_master_revocable` in `valid_mdb`.
 */
export const replyCapsInCdt = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [slot, c] of at.caps) {
    if (c._tag !== 'ReplyCap') continue;
    const path = (): string => `caps[${hex(slot)}]`;
    const parent = s.cdt.parent.get(slot);
    if (c.master) {
      if (parent !== undefined) v.push({ path: path(), message: `a master reply cap with a CDT parent (${hex(parent)})` });
      if (!s.cdt.original.has(slot)) v.push({ path: path(), message: 'a master reply cap that is not original' });
      for (const child of s.cdt.children.get(slot) ?? []) {
        const cc = getCap(s, child);
        if (cc._tag !== 'ReplyCap' || cc.master || cc.tcb !== c.tcb)
          v.push({
            path: `cdt.children[${hex(slot)}]`,
            message: `the master reply cap to ${hex(c.tcb)} has a child ${hex(child)} that is not a reply cap to the same thread`,
          });
      }
    } else {
      const pc = parent === undefined ? undefined : getCap(s, parent);
      if (pc === undefined || pc._tag !== 'ReplyCap' || !pc.master || pc.tcb !== c.tcb)
        v.push({
          path: path(),
          message: `a reply cap to ${hex(c.tcb)} whose CDT parent ${parent === undefined ? '(none)' : hex(parent)} is not that thread's master reply cap`,
        });
    }
  }
  return v;
};

/**
 * `tcbSlotsHoldRightCaps`: a TCB's VSpace slot holds a page-directory cap
 * with an ASID or nothing, and its IPC-buffer slot a non-device frame cap or
 * nothing, the buffer address then aligned to the 512-byte IPC buffer size.
 * (The CSpace slot is unconstrained: deletion may leave any cap there.) l4v:
 * the vtable and ipcframe clauses of `tcb_cap_cases` (`is_valid_vtable_root`,
 * `is_nondevice_page_cap`) and `valid_ipc_buffer_cap` in `valid_tcb`.
 */
export const tcbSlotsHoldRightCaps = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [t, tcb] of at.tcbs) {
    const vslot = slotOf(t, TCB_VTABLE);
    const vc = getCap(s, vslot);
    if (vc._tag !== 'NullCap' && (vc._tag !== 'PageDirectoryCap' || vc.mappedASID === null))
      v.push({
        path: `caps[${hex(vslot)}]`,
        message: `the VSpace slot of ${hex(t)} holds ${vc._tag === 'PageDirectoryCap' ? 'a page directory cap without an ASID' : `a ${vc._tag}`}`,
      });
    const bslot = slotOf(t, TCB_BUFFER);
    const bc = getCap(s, bslot);
    if (bc._tag === 'NullCap') continue;
    if (bc._tag !== 'FrameCap' || bc.isDevice)
      v.push({
        path: `caps[${hex(bslot)}]`,
        message: `the IPC buffer slot of ${hex(t)} holds ${bc._tag === 'FrameCap' ? 'a device frame cap' : `a ${bc._tag}`}`,
      });
    else if (tcb.ipcBuffer % 2 ** IPC_BUFFER_SIZE_BITS !== 0)
      v.push({
        path: `objects[${hex(t)}].ipcBuffer`,
        message: `IPC buffer address ${hex(tcb.ipcBuffer)} is not aligned to ${2 ** IPC_BUFFER_SIZE_BITS} bytes`,
      });
  }
  return v;
};

// ---------------------------------------------------------------- 4. the scheduler

/**
 * `readyQueuesValid`: each thread in a ready queue is a runnable TCB of that
 * queue's domain and priority, once; only non-empty queues are kept. l4v:
 * `valid_queues` (DetSchedInvs_AI).
 */
export const readyQueuesValid = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [index, queue] of at.readyQueues) {
    const path = (): string => `readyQueues[${index}]`;
    if (queue.length === 0) v.push({ path: path(), message: `an empty ready queue (${queueName(index)}) is kept` });
    queue.forEach((t, i) => {
      const at = (): string => `${path()}[${i}]`;
      if (queue.indexOf(t) !== i) {
        v.push({ path: at(), message: `thread ${hex(t)} is queued twice in ${queueName(index)}` });
        return;
      }
      const tcb = getTcb(s, t);
      if (tcb === undefined) {
        v.push({ path: at(), message: `${hex(t)} is in the ready queue of ${queueName(index)}, but it is not a TCB` });
        return;
      }
      if (!isRunnable(tcb.state)) v.push({ path: at(), message: `thread ${hex(t)} is ready-queued but ${describeState(tcb.state)}` });
      if (readyQueueIndex(tcb.domain, tcb.priority) !== index)
        v.push({
          path: at(),
          message: `thread ${hex(t)} of domain ${tcb.domain}, priority ${tcb.priority} sits in the queue of ${queueName(index)}`,
        });
    });
  }
  return v;
};

/**
 * Whether a thread is in a ready queue. After a step it is looked for in the
 * queue of its own domain and priority only: a thread in another queue breaks
 * readyQueuesValid there, which the step's check also visits (that queue or
 * the thread changed), so the verdict is the whole check's.
 */
const isQueued = (s: KernelState, at: Subjects): ((t: PPtr) => boolean) => {
  if (!at.whole)
    return (t) => {
      const tcb = getTcb(s, t);
      return tcb !== undefined && (s.readyQueues.get(readyQueueIndex(tcb.domain, tcb.priority))?.includes(t) ?? false);
    };
  const q = new Set<PPtr>();
  for (const queue of s.readyQueues.values()) for (const t of queue) q.add(t);
  return (t) => q.has(t);
};

/**
 * `runnableThreadsQueued`: every runnable thread other than the current one
 * and the pending switch target is in a ready queue, and the current thread
 * is in none while the scheduler resumes it. l4v: `valid_blocked`,
 * `ct_not_in_q` (DetSchedInvs_AI).
 */
export const runnableThreadsQueued = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const queued = isQueued(s, at);
  const target = s.schedulerAction._tag === 'SwitchToThread' ? s.schedulerAction.tcb : undefined;
  for (const [t, tcb] of at.tcbs) {
    if (!isRunnable(tcb.state) || t === s.curThread || t === target || queued(t)) continue;
    v.push({
      path: `objects[${hex(t)}].state`,
      message: `thread ${hex(t)} is ${tcb.state._tag} but in no ready queue, not current and not the switch target`,
    });
  }
  if (s.schedulerAction._tag === 'ResumeCurrentThread' && queued(s.curThread))
    v.push({ path: 'curThread', message: `the current thread ${hex(s.curThread)} is in a ready queue while the scheduler resumes it` });
  return v;
};

/**
 * `currentThreadValid`: the current thread is a TCB; while the scheduler
 * resumes it, it can run (Running, Restart or idle) and it is the idle thread
 * or belongs to the current domain; a switch target is runnable and in the
 * current domain. l4v: `cur_tcb`, `is_activatable`, `ct_in_cur_domain`,
 * `weak_valid_sched_action`, `switch_in_cur_domain`.
 */
export const currentThreadValid = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  const cur = getTcb(s, s.curThread);
  if (cur === undefined) return [{ path: 'curThread', message: `${hex(s.curThread)} is not a TCB` }];
  if (s.schedulerAction._tag === 'ResumeCurrentThread') {
    if (!isRunnable(cur.state) && cur.state._tag !== 'IdleThreadState')
      v.push({
        path: `objects[${hex(s.curThread)}].state`,
        message: `the current thread is ${describeState(cur.state)}, but the scheduler resumes it`,
      });
    if (s.curThread !== s.idleThread && cur.domain !== s.curDomain)
      v.push({
        path: 'curThread',
        message: `the current thread ${hex(s.curThread)} is in domain ${cur.domain}, not the current domain ${s.curDomain}`,
      });
  }
  if (s.schedulerAction._tag === 'SwitchToThread') {
    const t = s.schedulerAction.tcb;
    const tcb = getTcb(s, t);
    if (tcb === undefined) v.push({ path: 'schedulerAction', message: `the switch target ${hex(t)} is not a TCB` });
    else {
      if (!isRunnable(tcb.state)) v.push({ path: 'schedulerAction', message: `the switch target ${hex(t)} is ${describeState(tcb.state)}` });
      if (tcb.domain !== s.curDomain) v.push({ path: 'schedulerAction', message: `the switch target ${hex(t)} is in domain ${tcb.domain}, not ${s.curDomain}` });
    }
  }
  return v;
};

/**
 * `idleThreadValid`: the idle thread is a TCB in IdleThreadState, bound to no
 * notification, in domain 0; no other thread is in IdleThreadState. (With
 * `readyQueuesValid` and `threadsInTheirQueues` this keeps the idle thread out
 * of every queue.) l4v: `valid_idle`, `only_idle`, `valid_idle_etcb`.
 */
export const idleThreadValid = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const idle = getTcb(s, s.idleThread);
  if (idle === undefined) v.push({ path: 'idleThread', message: `${hex(s.idleThread)} is not a TCB` });
  else {
    const path = (): string => `objects[${hex(s.idleThread)}]`;
    if (idle.state._tag !== 'IdleThreadState') v.push({ path: `${path()}.state`, message: `the idle thread is ${describeState(idle.state)}` });
    if (idle.boundNotification !== null) v.push({ path: `${path()}.boundNotification`, message: `the idle thread is bound to ${hex(idle.boundNotification)}` });
    if (idle.domain !== 0) v.push({ path: `${path()}.domain`, message: `the idle thread is in domain ${idle.domain}, not 0` });
  }
  for (const [t, tcb] of at.tcbs)
    if (t !== s.idleThread && tcb.state._tag === 'IdleThreadState')
      v.push({ path: `objects[${hex(t)}].state`, message: 'IdleThreadState in a thread that is not the idle thread' });
  return v;
};

/**
 * `schedulingParamsInRange`: priorities and MCPs are at most the top priority
 * and domains name a configured domain. In l4v these are the word8 type of
 * `etcb_priority` and `valid_domain_list`/the domain type; here numbers can
 * stray, so it is checked.
 */
export const schedulingParamsInRange = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const ok = (n: number, hi: number) => Number.isInteger(n) && n >= 0 && n <= hi;
  for (const [t, tcb] of at.tcbs) {
    const path = (): string => `objects[${hex(t)}]`;
    if (!ok(tcb.priority, MAX_PRIO)) v.push({ path: `${path()}.priority`, message: `priority ${tcb.priority} is outside 0..${MAX_PRIO}` });
    if (!ok(tcb.mcp, MAX_PRIO)) v.push({ path: `${path()}.mcp`, message: `MCP ${tcb.mcp} is outside 0..${MAX_PRIO}` });
    if (!ok(tcb.domain, NUM_DOMAINS - 1)) v.push({ path: `${path()}.domain`, message: `domain ${tcb.domain} is outside 0..${NUM_DOMAINS - 1}` });
  }
  return v;
};

// ---------------------------------------------------------------- 5. bound notifications

/**
 * `boundNotificationsSymmetric`: a TCB is bound to N iff N is bound to that
 * TCB. l4v: the TCBBound / NTFNBound refs of `sym_refs (state_refs_of s)`,
 * with `valid_bound_ntfn` / `valid_bound_tcb` (the other end exists and has
 * the right type).
 */
export const boundNotificationsSymmetric = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [t, tcb] of at.tcbs) {
    const n = tcb.boundNotification;
    if (n === null) continue;
    const o = s.objects.get(n);
    const path = (): string => `objects[${hex(t)}].boundNotification`;
    if (o?._tag !== 'Notification') v.push({ path: path(), message: `bound to ${hex(n)}, which is ${o === undefined ? 'no object' : `a ${o._tag}`}, not a notification` });
    else if (o.boundTCB !== t)
      v.push({
        path: path(),
        message: `bound to ${hex(n)}, but that notification's boundTCB is ${o.boundTCB === null ? 'null' : hex(o.boundTCB)}`,
      });
  }
  for (const [n, ntfn] of at.notifications) {
    const t = ntfn.boundTCB;
    if (t === null) continue;
    const tcb = getTcb(s, t);
    const path = (): string => `objects[${hex(n)}].boundTCB`;
    if (tcb === undefined) v.push({ path: path(), message: `bound to ${hex(t)}, which is not a TCB` });
    else if (tcb.boundNotification !== n)
      v.push({
        path: path(),
        message: `bound to ${hex(t)}, but that thread's boundNotification is ${tcb.boundNotification === null ? 'null' : hex(tcb.boundNotification)}`,
      });
  }
  return v;
};

/**
 * `boundNotificationWaiters`: a notification bound to T has no waiter but T
 * (seL4 refuses a Wait on a notification bound to another thread, and
 * binding one that has waiters). l4v: `valid_ntfn` (WaitingNtfn ts with a
 * bound TCB means ts = [tcb]).
 */
export const boundNotificationWaiters = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [n, ntfn] of at.notifications) {
    if (ntfn.boundTCB === null || ntfn.state._tag !== 'WaitingNtfn') continue;
    const q = ntfn.state.queue;
    if (q.length !== 1 || q[0] !== ntfn.boundTCB)
      v.push({
        path: `objects[${hex(n)}].state.queue`,
        message: `bound to ${hex(ntfn.boundTCB)} but waited on by [${q.map(hex).join(', ')}]`,
      });
  }
  return v;
};
