/**
 * Threads and the scheduler, as the C kernel keeps them: thread state in TCB
 * words, ready queues as intrusive doubly linked lists through tcbSchedNext /
 * tcbSchedPrev with head and tail per (domain, priority), and the two-level
 * priority bitmap per domain that finds the highest non-empty queue.
 *
 * seL4: C src/kernel/thread.c, include/kernel/thread.h, src/model/statedata.c;
 * spec twin: spec/kernel/thread.ts.
 */
import { type DomainScheduleConfig, FAULT_IP, NEXT_IP, NUM_DOMAINS, NUM_PRIORITIES, TIME_SLICE } from '../../spec/api';
import { KernelBug, tableAt } from '../model/memory';
import { Tcb, TS, ThreadStateW } from '../model/layout';
import { getRegister, isQueued, setRegister, tcbGet, tcbSet, threadStateType, tsSet } from '../model/heap';
import { type Kernel, SCHED_CHOOSE_NEW_THREAD, SCHED_RESUME_CURRENT_THREAD } from '../model/state';
import { seam } from '../model/seam';

// ---------------------------------------------------------------- thread state

export const isRunnableType = (ts: number): boolean => ts === TS.Running || ts === TS.Restart;
export const isRunnable = (k: Kernel, t: number): boolean => isRunnableType(threadStateType(k, t));

/** `setThreadState`: write the state type; the current thread stopping forces a new choice. */
export const setThreadState = (k: Kernel, t: number, ts: number): void => {
  tsSet(k, t, ThreadStateW.tsType, ts);
  scheduleTCB(k, t);
};

const scheduleTCB = (k: Kernel, t: number): void => {
  if (t === k.ksCurThread && k.ksSchedulerAction === SCHED_RESUME_CURRENT_THREAD && !isRunnable(k, t)) rescheduleRequired(k);
};

// ---------------------------------------------------------------- bitmaps

const queueIndex = (dom: number, prio: number): number => dom * NUM_PRIORITIES + prio;
const l1IndexOf = (prio: number): number => prio >>> 5;
const invertL1 = (i: number): number => 7 - i;
const l2Word = (dom: number, l1Inverted: number): number => dom * 8 + l1Inverted;
const wordLog2 = (w: number): number => 31 - Math.clz32(w);

export const addToBitmap = (k: Kernel, dom: number, prio: number): void => {
  const l1 = l1IndexOf(prio);
  k.ksReadyQueuesL1Bitmap.set(dom, (k.ksReadyQueuesL1Bitmap.get(dom) | (1 << l1)) >>> 0);
  const i = l2Word(dom, invertL1(l1));
  k.ksReadyQueuesL2Bitmap.set(i, (k.ksReadyQueuesL2Bitmap.get(i) | (1 << (prio & 31))) >>> 0);
};

export const removeFromBitmap = seam('removeFromBitmap', (k: Kernel, dom: number, prio: number): void => {
  const l1 = l1IndexOf(prio);
  const i = l2Word(dom, invertL1(l1));
  const l2 = (k.ksReadyQueuesL2Bitmap.get(i) & ~(1 << (prio & 31))) >>> 0;
  k.ksReadyQueuesL2Bitmap.set(i, l2);
  if (l2 === 0) k.ksReadyQueuesL1Bitmap.set(dom, (k.ksReadyQueuesL1Bitmap.get(dom) & ~(1 << l1)) >>> 0);
});

export const getHighestPrio = (k: Kernel, dom: number): number => {
  const l1 = wordLog2(k.ksReadyQueuesL1Bitmap.get(dom));
  const l2 = wordLog2(k.ksReadyQueuesL2Bitmap.get(l2Word(dom, invertL1(l1))));
  return (l1 << 5) | l2;
};

export const isHighestPrio = (k: Kernel, dom: number, prio: number): boolean => k.ksReadyQueuesL1Bitmap.get(dom) === 0 || prio >= getHighestPrio(k, dom);

// ---------------------------------------------------------------- ready queues

/** `tcbSchedEnqueue`: prepend to the thread's ready queue (no-op if queued). */
export const tcbSchedEnqueue = (k: Kernel, t: number): void => {
  if (isQueued(k, t)) return;
  const dom = tcbGet(k, t, Tcb.domain);
  const prio = tcbGet(k, t, Tcb.priority);
  const idx = queueIndex(dom, prio);
  const head = k.ksReadyQueueHead.get(idx);
  if (head === 0) {
    addToBitmap(k, dom, prio);
    k.ksReadyQueueTail.set(idx, t);
  } else {
    tcbSet(k, t, Tcb.schedNext, head);
    tcbSet(k, head, Tcb.schedPrev, t);
  }
  k.ksReadyQueueHead.set(idx, t);
  tsSet(k, t, ThreadStateW.tcbQueued, 1);
};

/** `tcbSchedAppend`: append to the thread's ready queue (no-op if queued). */
export const tcbSchedAppend = (k: Kernel, t: number): void => {
  if (isQueued(k, t)) return;
  const dom = tcbGet(k, t, Tcb.domain);
  const prio = tcbGet(k, t, Tcb.priority);
  const idx = queueIndex(dom, prio);
  const tail = k.ksReadyQueueTail.get(idx);
  if (tail === 0) {
    addToBitmap(k, dom, prio);
    k.ksReadyQueueHead.set(idx, t);
  } else {
    tcbSet(k, t, Tcb.schedPrev, tail);
    tcbSet(k, tail, Tcb.schedNext, t);
  }
  k.ksReadyQueueTail.set(idx, t);
  tsSet(k, t, ThreadStateW.tcbQueued, 1);
};

/** `tcbSchedDequeue`: unlink from the ready queue (no-op if not queued). */
export const tcbSchedDequeue = (k: Kernel, t: number): void => {
  if (!isQueued(k, t)) return;
  const dom = tcbGet(k, t, Tcb.domain);
  const prio = tcbGet(k, t, Tcb.priority);
  const idx = queueIndex(dom, prio);
  const before = tcbGet(k, t, Tcb.schedPrev);
  const after = tcbGet(k, t, Tcb.schedNext);
  const head = k.ksReadyQueueHead.get(idx);
  const tail = k.ksReadyQueueTail.get(idx);
  if (t === head && t === tail) {
    k.ksReadyQueueHead.set(idx, 0);
    k.ksReadyQueueTail.set(idx, 0);
  } else if (t === head) {
    tcbSet(k, after, Tcb.schedPrev, 0);
    k.ksReadyQueueHead.set(idx, after);
  } else if (t === tail) {
    tcbSet(k, before, Tcb.schedNext, 0);
    k.ksReadyQueueTail.set(idx, before);
  } else {
    tcbSet(k, before, Tcb.schedNext, after);
    tcbSet(k, after, Tcb.schedPrev, before);
  }
  tcbSet(k, t, Tcb.schedPrev, 0);
  tcbSet(k, t, Tcb.schedNext, 0);
  if (k.ksReadyQueueHead.get(idx) === 0) removeFromBitmap(k, dom, prio);
  tsSet(k, t, ThreadStateW.tcbQueued, 0);
};

// ---------------------------------------------------------------- scheduler actions

export const rescheduleRequired = (k: Kernel): void => {
  const a = k.ksSchedulerAction;
  if (a !== SCHED_RESUME_CURRENT_THREAD && a !== SCHED_CHOOSE_NEW_THREAD) tcbSchedEnqueue(k, a);
  k.ksSchedulerAction = SCHED_CHOOSE_NEW_THREAD;
};

export const possibleSwitchTo = (k: Kernel, t: number): void => {
  if (tcbGet(k, t, Tcb.domain) !== k.ksCurDomain) {
    tcbSchedEnqueue(k, t);
  } else if (k.ksSchedulerAction !== SCHED_RESUME_CURRENT_THREAD) {
    rescheduleRequired(k);
    tcbSchedEnqueue(k, t);
  } else {
    k.ksSchedulerAction = t;
  }
};

export const setPriority = (k: Kernel, t: number, prio: number): void => {
  tcbSchedDequeue(k, t);
  tcbSet(k, t, Tcb.priority, prio);
  if (isRunnable(k, t)) {
    if (t === k.ksCurThread) rescheduleRequired(k);
    else possibleSwitchTo(k, t);
  }
};

export const setMCPriority = (k: Kernel, t: number, mcp: number): void => tcbSet(k, t, Tcb.mcp, mcp);

export const setDomain = (k: Kernel, t: number, dom: number): void => {
  tcbSchedDequeue(k, t);
  tcbSet(k, t, Tcb.domain, dom);
  if (isRunnable(k, t)) tcbSchedEnqueue(k, t);
  if (t === k.ksCurThread) rescheduleRequired(k);
};

// ---------------------------------------------------------------- choosing a thread

export const switchToThread = (k: Kernel, t: number): void => {
  if (!isRunnable(k, t)) throw new KernelBug('switchToThread: thread is not runnable');
  tcbSchedDequeue(k, t);
  k.ksCurThread = t;
};

export const switchToIdleThread = (k: Kernel): void => {
  k.ksCurThread = k.ksIdleThread;
};

/** A (domain 0, 0 ticks) entry ends the domain schedule (C's dschedule end check). */
export const isEndMarker = (e: DomainScheduleConfig): boolean => e.domain === 0 && e.length === 0n;

export const nextDomain = (k: Kernel): void => {
  let idx = k.ksDomScheduleIdx + 1;
  // Past the last entry counts as an end marker (C's bound check); any other index must be in the table.
  if (idx >= k.ksDomSchedule.length || isEndMarker(tableAt(k.ksDomSchedule, idx, 'ksDomSchedule'))) idx = k.ksDomScheduleStart;
  k.ksDomScheduleIdx = idx;
  const entry = tableAt(k.ksDomSchedule, idx, 'ksDomSchedule');
  k.ksWorkUnitsCompleted = 0;
  k.ksCurDomain = entry.domain;
  k.ksDomainTime = entry.length;
};

export const chooseThread = (k: Kernel): void => {
  const dom = NUM_DOMAINS > 1 ? k.ksCurDomain : 0;
  if (k.ksReadyQueuesL1Bitmap.get(dom) !== 0) {
    const prio = getHighestPrio(k, dom);
    const t = k.ksReadyQueueHead.get(queueIndex(dom, prio));
    if (t === 0) throw new KernelBug('chooseThread: bitmap names an empty queue');
    switchToThread(k, t);
  } else {
    switchToIdleThread(k);
  }
};

const scheduleChooseNewThread = (k: Kernel): void => {
  if (k.ksDomainTime === 0n) nextDomain(k);
  chooseThread(k);
};

/**
 * A woken thread is only switched to directly if it is at least as urgent as
 * the current thread (and the current thread is not idle); otherwise it runs
 * only when nothing better is ready (C: schedule's fastfail).
 */
export const outrankedByCurrent = seam(
  'outrankedByCurrent',
  (k: Kernel, cur: number, targetPrio: number, curPrio: number): boolean => cur === k.ksIdleThread || targetPrio < curPrio,
);

export const schedule = (k: Kernel): void => {
  const action = k.ksSchedulerAction;
  if (action === SCHED_RESUME_CURRENT_THREAD) return;
  const wasRunnable = isRunnable(k, k.ksCurThread);
  if (wasRunnable) tcbSchedEnqueue(k, k.ksCurThread);
  if (action === SCHED_CHOOSE_NEW_THREAD) {
    scheduleChooseNewThread(k);
  } else {
    const candidate = action;
    const cur = k.ksCurThread;
    const targetPrio = tcbGet(k, candidate, Tcb.priority);
    const curPrio = tcbGet(k, cur, Tcb.priority);
    if (outrankedByCurrent(k, cur, targetPrio, curPrio) && !isHighestPrio(k, k.ksCurDomain, targetPrio)) {
      tcbSchedEnqueue(k, candidate);
      k.ksSchedulerAction = SCHED_CHOOSE_NEW_THREAD;
      scheduleChooseNewThread(k);
    } else if (wasRunnable && curPrio === targetPrio) {
      tcbSchedAppend(k, candidate);
      k.ksSchedulerAction = SCHED_CHOOSE_NEW_THREAD;
      scheduleChooseNewThread(k);
    } else {
      switchToThread(k, candidate);
    }
  }
  k.ksSchedulerAction = SCHED_RESUME_CURRENT_THREAD;
};

export const activateThread = (k: Kernel): void => {
  const t = k.ksCurThread;
  const ts = threadStateType(k, t);
  if (ts === TS.Running || ts === TS.IdleThreadState) return;
  if (ts === TS.Restart) {
    setRegister(k, t, NEXT_IP, getRegister(k, t, FAULT_IP));
    setThreadState(k, t, TS.Running);
    return;
  }
  throw new KernelBug(`activateThread: current thread is blocked (state ${ts})`);
};

// ---------------------------------------------------------------- time

export const timerTick = seam('timerTick', (k: Kernel): void => {
  const cur = k.ksCurThread;
  if (threadStateType(k, cur) === TS.Running) {
    const ts = tcbGet(k, cur, Tcb.timeSlice);
    if (ts > 1) {
      tcbSet(k, cur, Tcb.timeSlice, ts - 1);
    } else {
      tcbSet(k, cur, Tcb.timeSlice, TIME_SLICE);
      tcbSchedAppend(k, cur);
      rescheduleRequired(k);
    }
  }
  if (NUM_DOMAINS > 1) {
    k.ksDomainTime -= 1n;
    if (k.ksDomainTime === 0n) rescheduleRequired(k);
  }
});

export const handleYield = (k: Kernel): void => {
  tcbSchedDequeue(k, k.ksCurThread);
  tcbSchedAppend(k, k.ksCurThread);
  rescheduleRequired(k);
};
