/**
 * The top of the concrete kernel: one kernel entry per event, as C's trap
 * handlers do it: save the trapping PC, handle the event, schedule, activate.
 *
 * seL4: C src/arch/arm/32/traps.S, src/arch/arm/c_traps.c, src/api/syscall.c;
 * spec twin: spec/kernel.ts.
 */
import {
  CAP_REGISTER,
  type Event,
  FAULT_IP,
  IPCBUF_CAPS_OR_BADGES,
  IPCBUF_RECEIVE_CNODE,
  IPCBUF_RECEIVE_DEPTH,
  IPCBUF_RECEIVE_INDEX,
  MSG_INFO_REGISTER,
  MSG_REGISTERS,
  NEXT_IP,
  SYSCALL_NUMBER_REGISTER,
  type SyscallEvent,
  ipcBufferMR,
} from '../spec/api';
import { getRegister, setRegister } from './model/heap';
import type { Kernel } from './model/state';
import { seam } from './model/seam';
import { handleFault } from './kernel/faultHandler';
import { bufferWordPtr } from './kernel/message';
import { type SyscallResult, handleSyscall } from './kernel/syscall';
import { activateThread, schedule, timerTick } from './kernel/thread';
import { lookupIPCBuffer } from './kernel/vspace';
import { tryFastpath } from './fastpath/fastpath';

export { boot, type BootOptions } from './kernel/boot';
export type { Kernel } from './model/state';

/** What the step did, for the runner (the abstract state is what gets compared). */
export type StepResult = SyscallResult | 'idle';

const trapAt = (k: Kernel, advance: number): void => {
  const t = k.ksCurThread;
  const pc = getRegister(k, t, NEXT_IP);
  setRegister(k, t, FAULT_IP, pc);
  setRegister(k, t, NEXT_IP, pc + advance);
};

/** The user-level stores of a syscall event, then the trap (the thread's work, not the kernel's: the benchmark's cost model leaves it out). */
export const userSyscallEntry = seam('userSyscallEntry', (k: Kernel, e: SyscallEvent): void => {
  const t = k.ksCurThread;
  if (e.cptr !== undefined) setRegister(k, t, CAP_REGISTER, e.cptr);
  if (e.info !== undefined) setRegister(k, t, MSG_INFO_REGISTER, e.info);
  const buffer = lookupIPCBuffer(k, true, t);
  const store = (i: number, v: number) => {
    if (buffer !== 0) k.mem.store(bufferWordPtr(buffer, i), v >>> 0);
  };
  (e.mrs ?? []).forEach((v, i) => {
    const r = MSG_REGISTERS[i];
    if (r !== undefined) setRegister(k, t, r, v);
    else store(ipcBufferMR(i), v);
  });
  (e.caps ?? []).forEach((v, i) => store(IPCBUF_CAPS_OR_BADGES + i, v));
  if (e.recv !== undefined) {
    store(IPCBUF_RECEIVE_CNODE, e.recv.cnode);
    store(IPCBUF_RECEIVE_INDEX, e.recv.index);
    store(IPCBUF_RECEIVE_DEPTH, e.recv.depth);
  }
  setRegister(k, t, SYSCALL_NUMBER_REGISTER, e.sysno);
  trapAt(k, 4);
});

const finish = (k: Kernel, r: StepResult): StepResult => {
  schedule(k);
  activateThread(k);
  return r;
};

/** Handle one event on the concrete kernel. */
export const step = (k: Kernel, e: Event): StepResult => {
  const idle = k.ksCurThread === k.ksIdleThread;
  switch (e.kind) {
    case 'syscall': {
      if (idle) return 'idle';
      userSyscallEntry(k, e);
      // The fastpath returns straight to the thread it switched to: nothing is left to schedule.
      if (k.fastpath && tryFastpath(k, e.sysno)) return 'done';
      return finish(k, handleSyscall(k, e.sysno));
    }
    case 'exception':
      if (idle) return 'idle';
      trapAt(k, 4);
      handleFault(k, k.ksCurThread, { _tag: 'UserException', number: 0, code: 0 });
      return finish(k, 'done');
    case 'tick':
      trapAt(k, 0);
      timerTick(k);
      return finish(k, 'done');
    case 'interrupt':
    case 'memory':
      return 'not-modelled';
  }
};
