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
import {
  IPCBUF_CAPS_OR_BADGES,
  IPCBUF_RECEIVE_CNODE,
  IPCBUF_RECEIVE_DEPTH,
  IPCBUF_RECEIVE_INDEX,
  ipcBufferMR,
} from './api/ipcBuffer';
import { CAP_REGISTER, FAULT_IP, MSG_INFO_REGISTER, MSG_REGISTERS, NEXT_IP, SYSCALL_NUMBER_REGISTER } from './api/registers';
import { storeWord } from './model/heap';
import type { KernelState } from './model/state';
import { handleFault } from './kernel/faultHandler';
import { bufferWord } from './kernel/message';
import { type Stepped, handleSyscall } from './kernel/syscall';
import { activateThread, getRegister, schedule, setRegister, timerTick } from './kernel/thread';
import { lookupIPCBuffer } from './kernel/vspace';

export type { Outcome, Stepped } from './kernel/syscall';

/**
 * The user-level stores a syscall event describes. Buffer words are written
 * only where the thread can write its IPC buffer (a read-write frame); the
 * trap saves the PC of the `svc` as the restart point.
 */
export const userSyscallEntry = (s0: KernelState, e: SyscallEvent): KernelState => {
  const t = s0.curThread;
  let s = s0;
  if (e.cptr !== undefined) s = setRegister(t, CAP_REGISTER, e.cptr)(s);
  if (e.info !== undefined) s = setRegister(t, MSG_INFO_REGISTER, e.info)(s);
  const buffer = lookupIPCBuffer(s, true, t);
  const storeBuf = (i: number, v: number) => {
    if (buffer !== undefined) s = storeWord(bufferWord(buffer, i), v >>> 0)(s);
  };
  (e.mrs ?? []).forEach((v, i) => {
    const r = MSG_REGISTERS[i];
    if (r !== undefined) s = setRegister(t, r, v)(s);
    else storeBuf(ipcBufferMR(i), v);
  });
  (e.caps ?? []).forEach((v, i) => storeBuf(IPCBUF_CAPS_OR_BADGES + i, v));
  if (e.recv !== undefined) {
    storeBuf(IPCBUF_RECEIVE_CNODE, e.recv.cnode);
    storeBuf(IPCBUF_RECEIVE_INDEX, e.recv.index);
    storeBuf(IPCBUF_RECEIVE_DEPTH, e.recv.depth);
  }
  s = setRegister(t, SYSCALL_NUMBER_REGISTER, e.sysno)(s);
  return trapAt(s, 4);
};

/** Enter the kernel from the current thread: FaultIP is the trapping instruction, NextIP advances by `advance`. */
const trapAt = (s: KernelState, advance: number): KernelState => {
  const t = s.curThread;
  const pc = getRegister(s, t, NEXT_IP);
  return setRegister(t, NEXT_IP, pc + advance)(setRegister(t, FAULT_IP, pc)(s));
};

const finish = (r: Stepped): Stepped => ({ state: activateThread(schedule(r.state)), outcome: r.outcome });

/** `callKernel`: handle one event and return the next state with what happened. */
export const step = (s: KernelState, e: Event): Stepped => {
  const idle = s.curThread === s.idleThread;
  switch (e.kind) {
    case 'syscall':
      // The idle thread executes no user code: it cannot trap.
      if (idle) return { state: s, outcome: { kind: 'syscall', result: 'idle' } };
      return finish(handleSyscall(userSyscallEntry(s, e), e.sysno));
    case 'exception': {
      if (idle) return { state: s, outcome: { kind: 'exception', result: 'idle' } };
      const s1 = trapAt(s, 4);
      return finish({
        state: handleFault(s1.curThread, { _tag: 'UserException', number: 0, code: 0 })(s1),
        outcome: { kind: 'exception', result: 'UserException' },
      });
    }
    case 'tick': {
      const s1 = trapAt(s, 0);
      return finish({ state: timerTick(s1), outcome: { kind: 'tick', result: 'ok' } });
    }
    case 'interrupt':
    case 'memory':
      return { state: s, outcome: { kind: e.kind, result: 'NotModelled' } };
  }
};

export type { KernelState } from './model/state';
export { bootState } from './kernel/boot';
