/**
 * Syscall numbers (the value in r7 at `svc`), in the order of seL4's api-master.
 * Any other number is an UnknownSyscall fault.
 *
 * seL4: libsel4/include/api/syscall.xml; Haskell API/Syscall.lhs.
 */

export const SysCall = -1;
export const SysReplyRecv = -2;
export const SysSend = -3;
export const SysNBSend = -4;
export const SysRecv = -5;
export const SysReply = -6;
export const SysYield = -7;
export const SysNBRecv = -8;

export type SyscallName = 'Call' | 'ReplyRecv' | 'Send' | 'NBSend' | 'Recv' | 'Reply' | 'Yield' | 'NBRecv';

export const SYSCALL_NAMES: ReadonlyMap<number, SyscallName> = new Map<number, SyscallName>([
  [SysCall, 'Call'],
  [SysReplyRecv, 'ReplyRecv'],
  [SysSend, 'Send'],
  [SysNBSend, 'NBSend'],
  [SysRecv, 'Recv'],
  [SysReply, 'Reply'],
  [SysYield, 'Yield'],
  [SysNBRecv, 'NBRecv'],
]);

export const SYSCALL_NUMBERS: Readonly<Record<SyscallName, number>> = {
  Call: SysCall,
  ReplyRecv: SysReplyRecv,
  Send: SysSend,
  NBSend: SysNBSend,
  Recv: SysRecv,
  Reply: SysReply,
  Yield: SysYield,
  NBRecv: SysNBRecv,
};

/** The syscall a signed r7 value names, or null for an unknown syscall. */
export const syscallOf = (sysno: number): SyscallName | null => SYSCALL_NAMES.get(sysno | 0) ?? null;
