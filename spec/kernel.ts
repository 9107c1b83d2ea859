/**
 * The top of the abstract spec: one kernel entry per event. The current
 * thread's user-level effects come first (register and IPC-buffer stores, the
 * trapping PC), then the event is handled, then the scheduler picks the thread
 * that runs next and activates it.
 *
 * seL4: Haskell SEL4.lhs (callKernel), API/Syscall.lhs (handleEvent);
 * abstract spec Syscall_A.thy (call_kernel, handle_event); C src/api/syscall.c,
 * src/arch/arm/32/traps.S, src/arch/arm/c_traps.c.
 */
import type { Event, SyscallEvent } from './api/event';
import { IPCBUF_CAPS_OR_BADGES, IPCBUF_RECEIVE_CNODE, IPCBUF_RECEIVE_DEPTH, IPCBUF_RECEIVE_INDEX, ipcBufferMR } from './api/ipcBuffer';
import { CAP_REGISTER, FAULT_IP, MSG_INFO_REGISTER, MSG_REGISTERS, NEXT_IP, SYSCALL_NUMBER_REGISTER } from './api/registers';
import { flow, identity, pipe } from 'fp-ts/function';
import { type Transition, forEach, storeWord } from './model/heap';
import type { KernelState } from './model/state';
import { handleFault } from './kernel/faultHandler';
import { bufferWord } from './kernel/message';
import type { Fault } from './api/errors';
import { type Stepped, type SyscallOutcome, handleSyscall } from './kernel/syscall';
import { activateThread, getRegister, schedule, setRegister, timerTick } from './kernel/thread';
import { lookupIPCBuffer } from './kernel/vspace';

export type { InvocationOutcome, InvocationSyscall, ModelledInvocation, RecvOutcome, RecvSyscall, ReplyOutcome, Stepped, SyscallOutcome } from './kernel/syscall';

/** What one kernel entry did. */
export type Outcome =
  /** A syscall, by the handler it reached. */
  | SyscallOutcome
  /** An undefined instruction in user mode: a UserException fault. */
  | { readonly _tag: 'UserException'; readonly fault: Fault }
  /** The timer interrupt: `timerTick`. */
  | { readonly _tag: 'TimerTick' }
  /** A syscall or exception event while the idle thread runs, which executes no user code: nothing happens. */
  | { readonly _tag: 'Idle'; readonly event: 'syscall' | 'exception' }
  /** An event the spec does not model yet (see DEVIATIONS.md): nothing happens. */
  | { readonly _tag: 'NotModelled'; readonly event: 'interrupt' | 'memory' };

/**
 * The user-level stores a syscall event describes. Buffer words are written
 * only where the thread can write its IPC buffer (a read-write frame); the
 * trap saves the PC of the `svc` as the restart point.
 */
export const userSyscallEntry = (s0: KernelState, e: SyscallEvent): KernelState => {
  const t = s0.curThread;
  const withRegisters = pipe(
    s0,
    e.cptr === undefined ? identity : setRegister(t, CAP_REGISTER, e.cptr),
    e.info === undefined ? identity : setRegister(t, MSG_INFO_REGISTER, e.info),
  );
  const buffer = lookupIPCBuffer(withRegisters, true, t);
  const storeBuf = (i: number, v: number): Transition => (buffer === null ? identity : storeWord(bufferWord(buffer, i), v >>> 0));
  return pipe(
    withRegisters,
    forEach(e.mrs ?? [], (v, i) => {
      const r = MSG_REGISTERS[i];
      return r === undefined ? storeBuf(ipcBufferMR(i), v) : setRegister(t, r, v);
    }),
    forEach(e.caps ?? [], (v, i) => storeBuf(IPCBUF_CAPS_OR_BADGES + i, v)),
    e.recv === undefined
      ? identity
      : flow(storeBuf(IPCBUF_RECEIVE_CNODE, e.recv.cnode), storeBuf(IPCBUF_RECEIVE_INDEX, e.recv.index), storeBuf(IPCBUF_RECEIVE_DEPTH, e.recv.depth)),
    setRegister(t, SYSCALL_NUMBER_REGISTER, e.sysno),
    trapAt(4),
  );
};

/** Enter the kernel from the current thread: FaultIP is the trapping instruction, NextIP advances by `advance`. */
const trapAt =
  (advance: number): Transition =>
  (s) => {
    const t = s.curThread;
    const pc = getRegister(s, t, NEXT_IP);
    return pipe(s, setRegister(t, FAULT_IP, pc), setRegister(t, NEXT_IP, pc + advance));
  };

const finish = (r: Stepped<Outcome>): Stepped<Outcome> => ({ state: pipe(r.state, schedule, activateThread), outcome: r.outcome });

/** `callKernel`: handle one event and return the next state with what happened. */
export const step = (s: KernelState, e: Event): Stepped<Outcome> => {
  const idle = s.curThread === s.idleThread;
  switch (e.kind) {
    case 'syscall':
      // The idle thread executes no user code: it cannot trap.
      if (idle) return { state: s, outcome: { _tag: 'Idle', event: e.kind } };
      return finish(handleSyscall(userSyscallEntry(s, e), e.sysno));
    case 'exception': {
      if (idle) return { state: s, outcome: { _tag: 'Idle', event: e.kind } };
      const fault: Fault = { _tag: 'UserException', number: 0, code: 0 };
      return finish({ state: pipe(s, trapAt(4), handleFault(s.curThread, fault)), outcome: { _tag: 'UserException', fault } });
    }
    case 'tick':
      return finish({ state: pipe(s, trapAt(0), timerTick), outcome: { _tag: 'TimerTick' } });
    case 'interrupt':
    case 'memory':
      return { state: s, outcome: { _tag: 'NotModelled', event: e.kind } };
  }
};

export type { KernelState } from './model/state';
export { bootState } from './kernel/boot';
