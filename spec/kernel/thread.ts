/**
 * Threads and the scheduler: thread-state changes, the per-domain,
 * per-priority ready queues, the choice of the next thread, domains and the
 * timer tick.
 *
 * seL4: Haskell Kernel/Thread.lhs, Model/StateData.lhs; abstract spec
 * Schedule_A.thy, Tcb_A.thy; C src/kernel/thread.c.
 */
import { flow, identity, pipe } from 'fp-ts/function';
import { MAX_PRIO, NUM_DOMAINS, TIME_SLICE, isEndMarker } from '../api/config';
import { FAULT_IP, NEXT_IP } from '../api/registers';
import { kernelAssert } from '../model/assert';
import { type Transition, getTCB, updateTCB } from '../model/heap';
import { arrayRemove, arraySet, mapDelete, mapSet } from '../model/immutable';
import { type KernelState, type SchedulerAction, chooseNewThread, readyQueueIndex, resumeCurrentThread } from '../model/state';
import { type PPtr, type ThreadState, isRunnable } from '../model/structures';

// ---------------------------------------------------------------- thread state

export const getThreadState = (s: KernelState, t: PPtr): ThreadState => getTCB(s, t).state;

export const threadIsRunnable = (s: KernelState, t: PPtr): boolean => isRunnable(getThreadState(s, t));

export const setSchedulerAction =
  (action: SchedulerAction): Transition =>
  (s) => ({ ...s, schedulerAction: action });

/**
 * `setThreadState`: if the current thread stops being runnable while the
 * scheduler would resume it, a new thread must be chosen.
 */
export const setThreadState = (st: ThreadState, t: PPtr): Transition =>
  flow(
    updateTCB(t, (tcb) => ({ ...tcb, state: st })),
    (s) => (!isRunnable(st) && s.curThread === t && s.schedulerAction._tag === 'ResumeCurrentThread' ? setSchedulerAction(chooseNewThread)(s) : s),
  );

export const getRegister = (s: KernelState, t: PPtr, reg: number): number => getTCB(s, t).context[reg] ?? 0;

export const setRegister = (t: PPtr, reg: number, v: number): Transition => updateTCB(t, (tcb) => ({ ...tcb, context: arraySet(tcb.context, reg, v >>> 0) }));

/** Set several registers at once: `regs[i] := values[i]`. */
export const setRegisters = (t: PPtr, regs: readonly number[], values: readonly number[]): Transition =>
  updateTCB(t, (tcb) => {
    const context = tcb.context.slice();
    values.forEach((v, i) => {
      const r = regs[i];
      if (r !== undefined) context[r] = v >>> 0;
    });
    return { ...tcb, context };
  });

// ---------------------------------------------------------------- ready queues

const queueOf = (s: KernelState, domain: number, prio: number): readonly PPtr[] => s.readyQueues.get(readyQueueIndex(domain, prio)) ?? [];

const setQueue =
  (domain: number, prio: number, q: readonly PPtr[]): Transition =>
  (s) => ({
    ...s,
    readyQueues: q.length === 0 ? mapDelete(s.readyQueues, readyQueueIndex(domain, prio)) : mapSet(s.readyQueues, readyQueueIndex(domain, prio), q),
  });

/** True when the thread sits in the ready queue of its domain and priority (seL4's tcbQueued). */
export const isQueued = (s: KernelState, t: PPtr): boolean => {
  const tcb = getTCB(s, t);
  return queueOf(s, tcb.domain, tcb.priority).includes(t);
};

/** `tcbSchedEnqueue`: put a runnable thread at the head of its queue (no-op if queued). */
export const tcbSchedEnqueue =
  (t: PPtr): Transition =>
  (s) => {
    if (isQueued(s, t)) return s;
    const tcb = getTCB(s, t);
    return setQueue(tcb.domain, tcb.priority, [t, ...queueOf(s, tcb.domain, tcb.priority)])(s);
  };

/** `tcbSchedAppend`: put a runnable thread at the tail of its queue (no-op if queued). */
export const tcbSchedAppend =
  (t: PPtr): Transition =>
  (s) => {
    if (isQueued(s, t)) return s;
    const tcb = getTCB(s, t);
    return setQueue(tcb.domain, tcb.priority, [...queueOf(s, tcb.domain, tcb.priority), t])(s);
  };

/** `tcbSchedDequeue`: take the thread out of its ready queue (no-op if not queued). */
export const tcbSchedDequeue =
  (t: PPtr): Transition =>
  (s) => {
    if (!isQueued(s, t)) return s;
    const tcb = getTCB(s, t);
    return setQueue(tcb.domain, tcb.priority, arrayRemove(queueOf(s, tcb.domain, tcb.priority), t))(s);
  };

/**
 * The highest priority with a non-empty queue in the domain, or null when all
 * are empty (looked for among the queues there are, not over every priority).
 */
export const getHighestPrio = (s: KernelState, domain: number): number | null => {
  let highest: number | null = null;
  for (const [i, q] of s.readyQueues) {
    const p = i - readyQueueIndex(domain, 0);
    if (p >= 0 && p <= MAX_PRIO && q.length > 0 && (highest === null || p > highest)) highest = p;
  }
  return highest;
};

/** `isHighestPrio d p`: no ready thread in d has a higher priority than p. */
export const isHighestPrio = (s: KernelState, domain: number, prio: number): boolean => {
  const h = getHighestPrio(s, domain);
  return h === null || prio >= h;
};

// ---------------------------------------------------------------- scheduler actions

/** `rescheduleRequired`: a pending switch candidate goes back to its queue; choose anew. */
export const rescheduleRequired: Transition = (s) =>
  pipe(s, s.schedulerAction._tag === 'SwitchToThread' ? tcbSchedEnqueue(s.schedulerAction.tcb) : identity, setSchedulerAction(chooseNewThread));

/** `when (t == curThread) rescheduleRequired`: a change to the current thread makes the scheduler choose again. */
export const rescheduleIfCurrent =
  (t: PPtr): Transition =>
  (s) =>
    t === s.curThread ? rescheduleRequired(s) : s;

/**
 * `possibleSwitchTo`: a woken thread in another domain is only queued; in the
 * current domain it becomes the switch candidate unless a reschedule is
 * already pending, in which case it is queued too.
 */
export const possibleSwitchTo =
  (t: PPtr): Transition =>
  (s) => {
    const tcb = getTCB(s, t);
    if (tcb.domain !== s.curDomain) return tcbSchedEnqueue(t)(s);
    if (s.schedulerAction._tag !== 'ResumeCurrentThread') return pipe(s, rescheduleRequired, tcbSchedEnqueue(t));
    return setSchedulerAction({ _tag: 'SwitchToThread', tcb: t })(s);
  };

/** `setPriority`: re-queue the thread at its new priority and reconsider the choice. */
export const setPriority = (t: PPtr, prio: number): Transition =>
  flow(
    tcbSchedDequeue(t),
    updateTCB(t, (tcb) => ({ ...tcb, priority: prio })),
    (s) => {
      if (!threadIsRunnable(s, t)) return s;
      return t === s.curThread ? rescheduleRequired(s) : possibleSwitchTo(t)(s);
    },
  );

export const setMCPriority = (t: PPtr, mcp: number): Transition => updateTCB(t, (tcb) => ({ ...tcb, mcp }));

/** `setDomain`: move the thread to another domain's queues. */
export const setDomain = (t: PPtr, domain: number): Transition =>
  flow(
    tcbSchedDequeue(t),
    updateTCB(t, (tcb) => ({ ...tcb, domain })),
    (s) => (threadIsRunnable(s, t) ? tcbSchedEnqueue(t)(s) : s),
    rescheduleIfCurrent(t),
  );

// ---------------------------------------------------------------- choosing a thread

/** `switchToThread`: the thread leaves its queue and becomes current. */
export const switchToThread =
  (t: PPtr): Transition =>
  (s) => {
    kernelAssert(threadIsRunnable(s, t), 'switchToThread: thread must be runnable');
    return pipe(s, tcbSchedDequeue(t), (s1) => ({ ...s1, curThread: t }));
  };

export const switchToIdleThread: Transition = (s) => ({ ...s, curThread: s.idleThread });

/** `nextDomain`: advance the domain schedule (wrapping to its start at an end marker). */
export const nextDomain: Transition = (s) => {
  let idx = s.domainScheduleIdx + 1;
  const entry = s.domainSchedule[idx];
  if (entry === undefined || isEndMarker(entry)) idx = s.domainScheduleStart;
  const next = s.domainSchedule[idx];
  kernelAssert(next !== undefined, 'nextDomain: schedule start is out of range');
  return { ...s, domainScheduleIdx: idx, curDomain: next.domain, domainTime: next.length, workUnitsCompleted: 0 };
};

/** `chooseThread`: the head of the highest non-empty queue of the current domain, else idle. */
export const chooseThread: Transition = (s) => {
  const dom = NUM_DOMAINS > 1 ? s.curDomain : 0;
  const prio = getHighestPrio(s, dom);
  if (prio === null) return switchToIdleThread(s);
  const head = queueOf(s, dom, prio)[0];
  kernelAssert(head !== undefined, 'chooseThread: empty queue below a set bitmap bit');
  return switchToThread(head)(s);
};

export const scheduleChooseNewThread: Transition = (s) => pipe(s, s.domainTime === 0n ? nextDomain : identity, chooseThread, setSchedulerAction(resumeCurrentThread));

/**
 * `schedule`, run at the end of every kernel entry. A switch candidate wins
 * directly unless it has lower priority than the current thread and is not
 * the highest ready priority, or ties with a still-runnable current thread.
 */
export const schedule: Transition = (s) => {
  const action = s.schedulerAction;
  switch (action._tag) {
    case 'ResumeCurrentThread':
      return s;
    case 'ChooseNewThread':
      return pipe(s, threadIsRunnable(s, s.curThread) ? tcbSchedEnqueue(s.curThread) : identity, scheduleChooseNewThread);
    case 'SwitchToThread': {
      const candidate = action.tcb;
      const wasRunnable = threadIsRunnable(s, s.curThread);
      const s1 = pipe(s, wasRunnable ? tcbSchedEnqueue(s.curThread) : identity);
      const targetPrio = getTCB(s1, candidate).priority;
      const curPrio = getTCB(s1, s1.curThread).priority;
      const fastfail = s1.curThread === s1.idleThread || targetPrio < curPrio;
      if (fastfail && !isHighestPrio(s1, s1.curDomain, targetPrio)) return pipe(s1, tcbSchedEnqueue(candidate), setSchedulerAction(chooseNewThread), scheduleChooseNewThread);
      if (wasRunnable && curPrio === targetPrio) return pipe(s1, tcbSchedAppend(candidate), setSchedulerAction(chooseNewThread), scheduleChooseNewThread);
      return pipe(s1, switchToThread(candidate), setSchedulerAction(resumeCurrentThread));
    }
  }
};

/** `activateThread`: a restarted thread re-executes its trapping instruction. */
export const activateThread: Transition = (s) => {
  const t = s.curThread;
  const st = getThreadState(s, t);
  switch (st._tag) {
    case 'Running':
    case 'IdleThreadState':
      return s;
    case 'Restart': {
      const pc = getRegister(s, t, FAULT_IP);
      return pipe(s, setRegister(t, NEXT_IP, pc), setThreadState({ _tag: 'Running' }, t));
    }
    default:
      return kernelAssert(false, `activateThread: current thread is ${st._tag}`) as never;
  }
};

// ---------------------------------------------------------------- time

const decDomainTime: Transition = (s) => ({ ...s, domainTime: s.domainTime - 1n });

/**
 * `timerTick`: a thread that is exactly Running uses up its time slice and is
 * then appended to its queue; with several domains the domain time runs down.
 */
export const timerTick: Transition = (s) => {
  const t = s.curThread;
  const cur = getTCB(s, t);
  return pipe(
    s,
    cur.state._tag !== 'Running'
      ? identity
      : cur.timeSlice > 1
        ? updateTCB(t, (tcb) => ({ ...tcb, timeSlice: tcb.timeSlice - 1 }))
        : flow(
            updateTCB(t, (tcb) => ({ ...tcb, timeSlice: TIME_SLICE })),
            tcbSchedAppend(t),
            rescheduleRequired,
          ),
    NUM_DOMAINS > 1 ? flow(decDomainTime, (s1) => (s1.domainTime === 0n ? rescheduleRequired(s1) : s1)) : identity,
  );
};

/** `handleYield`: go to the tail of the own queue and let the scheduler choose. */
export const handleYield: Transition = (s) => pipe(s, tcbSchedDequeue(s.curThread), tcbSchedAppend(s.curThread), rescheduleRequired);
