/**
 * What a user thread does, written as libsel4 writes it: one builder per
 * libsel4 call, with libsel4's argument order, each returning the event the
 * thread performs (spec/api/event.ts). Invocations are grouped by the object
 * they are on, as libsel4 names them (`seL4_CNode_Mint` is `CNode.mint`).
 *
 * Where libsel4 takes a root, an index and a depth for a slot, these take one
 * `SlotRef`: a plain number is an index into the root task's CNode (cptr
 * `InitSlot.ThreadCNode`, depth 32), `slot(index, root, depth)` names any
 * other. The invoked CNode is the destination's root, as in libsel4.
 *
 * seL4: libsel4/include/interfaces/object-api.xml and sel4/syscalls.h.
 */
import {
  type Event,
  type InvocationLabel,
  type ReceiveSlot,
  InitSlot,
  LABEL,
  MSG_MAX_LENGTH,
  SysCall,
  SysNBRecv,
  SysNBSend,
  SysRecv,
  SysReply,
  SysReplyRecv,
  SysSend,
  SysYield,
  WORD_BITS,
  invocationEvent,
  messageInfo,
  syscallEvent,
} from '../../spec/api';

/** A slot as libsel4 names one: the CNode cptr to start from, the index, how many bits to resolve. */
export interface SlotPath {
  readonly root: number;
  readonly index: number;
  readonly depth: number;
}
/** A slot: an index into the root task's CNode (depth 32), or a full path. */
export type SlotRef = number | SlotPath;

/** The slot at `index`, resolved from the CNode cap `root` through `depth` bits. */
export const slot = (index: number, root: number = InitSlot.ThreadCNode, depth: number = WORD_BITS): SlotPath => ({ root, index, depth });
const pathOf = (r: SlotRef): SlotPath => (typeof r === 'number' ? slot(r) : r);

/** seL4_CapRights_new(grantReply, grant, read, write) as its word. */
export const capRights = (grantReply: boolean, grant: boolean, read: boolean, write: boolean): number => (write ? 1 : 0) | (read ? 2 : 0) | (grant ? 4 : 0) | (grantReply ? 8 : 0);
export const AllRights = capRights(true, true, true, true);
export const CanRead = capRights(false, false, true, false);
export const CanWrite = capRights(false, false, false, true);
export const CanGrant = capRights(false, true, false, false);
export const CanGrantReply = capRights(true, false, false, false);
export const NoRights = 0;

/** seL4_CNode_CapData_new(guard, guardSize): the cap data that sets a CNode cap's guard. */
export const guardData = (guard: number, guardSize: number): number => ((guard << 8) | ((guardSize & 0x1f) << 3)) >>> 0;

/** An invocation: a Call on `service` with `label`, message words and extra caps (how every libsel4 method is made). */
export const invoke = (service: number, label: InvocationLabel | number, mrs: readonly number[] = [], caps: readonly number[] = [], sysno: number = SysCall): Event =>
  invocationEvent(service, typeof label === 'number' ? label : LABEL[label], mrs, caps, sysno);

/** seL4_Untyped_Retype(service, type, size_bits, root, node_index, node_depth, node_offset, num_objects). */
const retype = (service: number, type: number, sizeBits: number, root: number, nodeIndex: number, nodeDepth: number, nodeOffset: number, numObjects: number): Event =>
  invoke(service, 'UntypedRetype', [type, sizeBits, nodeIndex, nodeDepth, nodeOffset, numObjects], [root]);
export const Untyped = { retype } as const;

/** libsel4 passes a seL4_Uint8 argument masked to its byte (CNode depths, domains). */
const uint8 = (x: number): number => x & 0xff;

/** Two slots into one CNode invocation: the destination's root is invoked, the source's root travels as a cap. */
const twoSlots = (label: InvocationLabel, dest: SlotRef, src: SlotRef, more: readonly number[]): Event => {
  const d = pathOf(dest);
  const s = pathOf(src);
  return invoke(d.root, label, [d.index, uint8(d.depth), s.index, uint8(s.depth), ...more], [s.root]);
};
const oneSlot = (label: InvocationLabel, at: SlotRef): Event => {
  const p = pathOf(at);
  return invoke(p.root, label, [p.index, uint8(p.depth)]);
};
export const CNode = {
  /** seL4_CNode_Copy(dest…, src…, rights). */
  copy: (dest: SlotRef, src: SlotRef, rights: number): Event => twoSlots('CNodeCopy', dest, src, [rights]),
  /** seL4_CNode_Mint(dest…, src…, rights, badge). */
  mint: (dest: SlotRef, src: SlotRef, rights: number, badge: number): Event => twoSlots('CNodeMint', dest, src, [rights, badge]),
  /** seL4_CNode_Move(dest…, src…). */
  move: (dest: SlotRef, src: SlotRef): Event => twoSlots('CNodeMove', dest, src, []),
  /** seL4_CNode_Mutate(dest…, src…, badge). */
  mutate: (dest: SlotRef, src: SlotRef, badge: number): Event => twoSlots('CNodeMutate', dest, src, [badge]),
  /** seL4_CNode_Rotate(dest…, dest_badge, pivot…, pivot_badge, src…). */
  rotate: (dest: SlotRef, destBadge: number, pivot: SlotRef, pivotBadge: number, src: SlotRef): Event => {
    const [d, p, s] = [pathOf(dest), pathOf(pivot), pathOf(src)];
    return invoke(d.root, 'CNodeRotate', [d.index, uint8(d.depth), destBadge, p.index, uint8(p.depth), pivotBadge, s.index, uint8(s.depth)], [p.root, s.root]);
  },
  /** seL4_CNode_Delete(index…). */
  delete: (at: SlotRef): Event => oneSlot('CNodeDelete', at),
  /** seL4_CNode_Revoke(index…). */
  revoke: (at: SlotRef): Event => oneSlot('CNodeRevoke', at),
  /** seL4_CNode_SaveCaller(index…). */
  saveCaller: (at: SlotRef): Event => oneSlot('CNodeSaveCaller', at),
  /** seL4_CNode_CancelBadgedSends(index…). */
  cancelBadgedSends: (at: SlotRef): Event => oneSlot('CNodeCancelBadgedSends', at),
} as const;

/** libsel4 packs the register calls' booleans into one flags word, arch flags from bit 8. */
const flags = (bits: readonly boolean[], archFlags: number): number => (bits.reduce((w, b, i) => w | (b ? 1 << i : 0), 0) | ((archFlags & 0xff) << 8)) >>> 0;

export const TCB = {
  /** seL4_TCB_Configure(fault_ep, cspace_root, cspace_root_data, vspace_root, vspace_root_data, buffer, bufferFrame). */
  configure: (tcb: number, faultEP: number, cspaceRoot: number, cspaceRootData: number, vspaceRoot: number, vspaceRootData: number, buffer: number, bufferFrame: number): Event =>
    invoke(tcb, 'TCBConfigure', [faultEP, cspaceRootData, vspaceRootData, buffer], [cspaceRoot, vspaceRoot, bufferFrame]),
  /** seL4_TCB_SetPriority(authority, priority). */
  setPriority: (tcb: number, authority: number, priority: number): Event => invoke(tcb, 'TCBSetPriority', [priority], [authority]),
  /** seL4_TCB_SetMCPriority(authority, mcp). */
  setMCPriority: (tcb: number, authority: number, mcp: number): Event => invoke(tcb, 'TCBSetMCPriority', [mcp], [authority]),
  /** seL4_TCB_SetSchedParams(authority, mcp, priority). */
  setSchedParams: (tcb: number, authority: number, mcp: number, priority: number): Event => invoke(tcb, 'TCBSetSchedParams', [mcp, priority], [authority]),
  /** seL4_TCB_SetIPCBuffer(buffer, bufferFrame). */
  setIPCBuffer: (tcb: number, buffer: number, bufferFrame: number): Event => invoke(tcb, 'TCBSetIPCBuffer', [buffer], [bufferFrame]),
  /** seL4_TCB_SetSpace(fault_ep, cspace_root, cspace_root_data, vspace_root, vspace_root_data). */
  setSpace: (tcb: number, faultEP: number, cspaceRoot: number, cspaceRootData: number, vspaceRoot: number, vspaceRootData: number): Event =>
    invoke(tcb, 'TCBSetSpace', [faultEP, cspaceRootData, vspaceRootData], [cspaceRoot, vspaceRoot]),
  suspend: (tcb: number): Event => invoke(tcb, 'TCBSuspend'),
  resume: (tcb: number): Event => invoke(tcb, 'TCBResume'),
  /** seL4_TCB_ReadRegisters(suspend_source, arch_flags, count); the registers come back in the reply. */
  readRegisters: (tcb: number, suspendSource: boolean, archFlags: number, count: number): Event => invoke(tcb, 'TCBReadRegisters', [flags([suspendSource], archFlags), count]),
  /**
   * seL4_TCB_WriteRegisters(resume_target, arch_flags, count, regs): the
   * registers given, then zeros up to `count` (as from a zeroed seL4_UserContext;
   * libsel4 sends the whole context, the kernel reads `count` words of it).
   */
  writeRegisters: (tcb: number, resumeTarget: boolean, archFlags: number, count: number, regs: readonly number[]): Event =>
    invoke(tcb, 'TCBWriteRegisters', [
      flags([resumeTarget], archFlags),
      count,
      ...regs,
      ...new Array<number>(Math.max(0, Math.min(count >>> 0, MSG_MAX_LENGTH - 2) - regs.length)).fill(0),
    ]),
  /** seL4_TCB_CopyRegisters(source, suspend_source, resume_target, transfer_frame, transfer_integer, arch_flags). */
  copyRegisters: (tcb: number, source: number, suspendSource: boolean, resumeTarget: boolean, transferFrame: boolean, transferInteger: boolean, archFlags: number): Event =>
    invoke(tcb, 'TCBCopyRegisters', [flags([suspendSource, resumeTarget, transferFrame, transferInteger], archFlags)], [source]),
  bindNotification: (tcb: number, notification: number): Event => invoke(tcb, 'TCBBindNotification', [], [notification]),
  unbindNotification: (tcb: number): Event => invoke(tcb, 'TCBUnbindNotification'),
  setTLSBase: (tcb: number, tlsBase: number): Event => invoke(tcb, 'TCBSetTLSBase', [tlsBase]),
  /** seL4_TCB_SetFlags(clear, set). */
  setFlags: (tcb: number, clear: number, set: number): Event => invoke(tcb, 'TCBSetFlags', [clear, set]),
} as const;

export const DomainSet = {
  /** seL4_DomainSet_Set(domain, thread). */
  set: (service: number, domain: number, thread: number): Event => invoke(service, 'DomainSetSet', [uint8(domain)], [thread]),
  /** seL4_DomainSet_ScheduleConfigure(index, domain, duration): the 64-bit duration in two words, low first. */
  scheduleConfigure: (service: number, index: number, domain: number, duration: bigint): Event =>
    invoke(service, 'DomainScheduleConfigure', [index, uint8(domain), Number(duration & 0xffff_ffffn), Number((duration >> 32n) & 0xffff_ffffn)]),
  /** seL4_DomainSet_ScheduleSetStart(index). */
  scheduleSetStart: (service: number, index: number): Event => invoke(service, 'DomainScheduleSetStart', [index]),
} as const;

/**
 * A message as a thread sets it up before an IPC: the message info word
 * (seL4_MessageInfo_new), the message registers, the extra caps' cptrs, and
 * the receive path for caps it may be sent (seL4_SetCapReceivePath).
 */
export interface Message {
  readonly info?: number;
  readonly mrs?: readonly number[];
  readonly caps?: readonly number[];
  readonly recv?: ReceiveSlot;
}

/** A message with `label`, its words and extra caps, the info word's lengths matching them. */
export const msg = (label: number, mrs: readonly number[] = [], caps: readonly number[] = []): Message => ({ info: messageInfo(label, 0, caps.length, mrs.length), mrs, caps });
/** seL4_SetCapReceivePath(cnode, index, depth), added to a message (or to nothing: a plain receive). */
export const receivePath = (cnode: number, index: number, depth: number, m: Message = {}): Message => ({ ...m, recv: { cnode, index, depth } });

const ipc = (sysno: number, cptr: number | undefined, m: Message): Event => syscallEvent({ sysno, ...(cptr === undefined ? {} : { cptr }), ...m });

/** seL4_Send(dest, msgInfo). */
export const send = (dest: number, m: Message = msg(0)): Event => ipc(SysSend, dest, m);
/** seL4_NBSend(dest, msgInfo). */
export const nbSend = (dest: number, m: Message = msg(0)): Event => ipc(SysNBSend, dest, m);
/** seL4_Call(dest, msgInfo). */
export const call = (dest: number, m: Message = msg(0)): Event => ipc(SysCall, dest, m);
/** seL4_Recv(src, &sender). */
export const recv = (src: number, m: Message = {}): Event => ipc(SysRecv, src, m);
/** seL4_NBRecv(src, &sender). */
export const nbRecv = (src: number, m: Message = {}): Event => ipc(SysNBRecv, src, m);
/** seL4_Reply(msgInfo) (non-MCS: to the thread's reply slot). */
export const reply = (m: Message = msg(0)): Event => ipc(SysReply, undefined, m);
/** seL4_ReplyRecv(src, msgInfo, &sender). */
export const replyRecv = (src: number, m: Message = msg(0)): Event => ipc(SysReplyRecv, src, m);
/** seL4_Signal(dest): a Send on a notification; libsel4 sets the message info to 0. */
export const signal = (dest: number): Event => syscallEvent({ sysno: SysSend, cptr: dest, info: messageInfo(0, 0, 0, 0) });
/** seL4_Wait(src, &sender): a Recv on a notification. */
export const wait = (src: number): Event => syscallEvent({ sysno: SysRecv, cptr: src });
/** seL4_Poll(src, &sender): an NBRecv on a notification. */
export const poll = (src: number): Event => syscallEvent({ sysno: SysNBRecv, cptr: src });
/** seL4_Yield() (`yield` is a reserved word). */
export const yieldNow = (): Event => syscallEvent({ sysno: SysYield });

/** A user-mode load from `vaddr` by the current thread. */
export const load = (vaddr: number): Event => ({ kind: 'memory', op: 'read', vaddr: vaddr >>> 0 });
/** A user-mode store of `value` at `vaddr` by the current thread. */
export const store = (vaddr: number, value: number): Event => ({ kind: 'memory', op: 'write', vaddr: vaddr >>> 0, value: value >>> 0 });
/** The current thread executes an undefined instruction. */
export const undefinedInstruction = (): Event => ({ kind: 'exception' });
/** The hardware raises interrupt line `irq`. */
export const interrupt = (irq: number): Event => ({ kind: 'interrupt', irq });
/** The kernel timer fires. */
export const tick = (): Event => ({ kind: 'tick' });

/** Any syscall, as raw register contents (what the helpers above cannot say). */
export const syscall = syscallEvent;
