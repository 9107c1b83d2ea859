/**
 * Booting the packed kernel: build the idle thread, the IRQ node, the kernel
 * window, and the root task's objects in memory, write its caps into its root
 * CNode (write_slot: roots of the MDB), derive its TCB's slots with cteInsert,
 * and cover free memory with untyped caps; then the root task runs.
 *
 * seL4: C src/kernel/boot.c, src/arch/arm/kernel/boot.c; the plan is
 * spec/api/bootLayout.ts; spec twin: spec/kernel/boot.ts.
 */
import {
  BOOT_UNTYPEDS,
  type BootConfig,
  CAP_REGISTER,
  CPSR,
  CPSR_USER,
  GLOBAL_PD_PTR,
  IDLE_THREAD_CPSR,
  IDLE_THREAD_PTR,
  IRQ_NODE_PTR,
  IRQ_NODE_RADIX,
  InitSlot,
  KERNEL_BASE,
  MAX_IRQ,
  MAX_PRIO,
  NEXT_IP,
  RAM_BASE,
  RAM_SIZE,
  ROOT_ASID,
  ROOT_ASID_POOL_PTR,
  ROOT_BOOTINFO_PTR,
  ROOT_BOOTINFO_VADDR,
  ROOT_CNODE_GUARD_SIZE,
  ROOT_CNODE_PTR,
  ROOT_CNODE_SIZE_BITS,
  ROOT_IMAGE_FRAME_PTR,
  ROOT_IMAGE_VADDR,
  ROOT_IPC_BUFFER_PTR,
  ROOT_IPC_BUFFER_VADDR,
  ROOT_PD_PTR,
  ROOT_PT_PTR,
  ROOT_TCB_PTR,
  TIME_SLICE,
  TIMER_IRQ,
  bootDomainSchedule,
  bootInfoWords,
  defaultBootConfig,
  TCB_CTABLE,
  TCB_VTABLE,
  TCB_BUFFER,
  VM_READ_WRITE,
  VM_KERNEL_ONLY,
  TCB_BITS,
  SLOT_BITS,
  PAGE_TABLE_BITS,
  PAGE_DIRECTORY_BITS,
  ASID_POOL_BITS,
  PAGE_BITS,
} from '../../spec/api';
import { TS, Tcb, ThreadStateW, type CapT } from '../model/layout';
import { originalMdbNode, setMdbNode, setRegister, setSlotCap, slotPtr, tcbSet, tsSet } from '../model/heap';
import { asidPoolCapNew, cnodeCapNew, frameCapNew, pageDirectoryCapNew, pageTableCapNew, threadCapNew, untypedCapNew } from '../model/capability';
import { capOfType, CapTag } from '../model/layout';
import { IRQ_TIMER, Kernel } from '../model/state';
import type { Patch } from '../model/seam';
import { cteInsert } from '../object/cnode';
import { setupReplyMaster } from '../object/tcb';
import { asidHigh, asidPoolEntry, copyGlobalMappings, makeCoarsePDE, makeSectionPDE, makeSmallPTE, pdSlot, ptSlot } from './vspace';
import { deriveCap } from './cspace';

/** `write_slot`: a boot cap is an MDB root, revocable and first-badged. */
const writeSlot = (k: Kernel, slot: number, cap: CapT): void => {
  setSlotCap(k, slot, cap);
  setMdbNode(k, slot, originalMdbNode);
};

/** How the concrete kernel is built, beyond the system it boots. */
export interface BootOptions {
  /** Try the IPC fastpath for Call and ReplyRecv (default off). */
  readonly fastpath?: boolean;
}

/** Boot the system `config` describes; `patches` change kernel functions from outside (impl/model/seam.ts). */
export const boot = (config: BootConfig = defaultBootConfig, patches: readonly Patch[] = [], options: BootOptions = {}): Kernel => {
  const k = new Kernel(patches);
  k.fastpath = options.fastpath ?? false;

  // Idle thread.
  k.ksIdleThread = IDLE_THREAD_PTR;
  k.ghostObjects.set(IDLE_THREAD_PTR, { type: 'TCB', sizeBits: TCB_BITS, isDevice: false });
  setRegister(k, IDLE_THREAD_PTR, CPSR, IDLE_THREAD_CPSR);
  tsSet(k, IDLE_THREAD_PTR, ThreadStateW.tsType, TS.IdleThreadState);

  // IRQ node and interrupt state: only the kernel timer is in use, everything else masked.
  k.intStateIRQNode = IRQ_NODE_PTR;
  k.ghostObjects.set(IRQ_NODE_PTR, { type: 'CNode', sizeBits: IRQ_NODE_RADIX + SLOT_BITS, isDevice: false });
  for (let i = 0; i <= MAX_IRQ; i++) k.irqMasked.set(i, i === TIMER_IRQ ? 0 : 1);
  k.intStateIRQTable.set(TIMER_IRQ, IRQ_TIMER);

  // The kernel window: RAM mapped by sections at KERNEL_BASE, kernel-only.
  for (let i = 0; i < RAM_SIZE / 2 ** 20; i++)
    k.mem.store(
      pdSlot(GLOBAL_PD_PTR, KERNEL_BASE + i * 2 ** 20),
      makeSectionPDE(RAM_BASE + i * 2 ** 20, false, VM_KERNEL_ONLY, { cacheable: true, parity: false, executeNever: true }),
    );

  // Root task objects.
  k.ghostObjects.set(ROOT_CNODE_PTR, { type: 'CNode', sizeBits: ROOT_CNODE_SIZE_BITS + SLOT_BITS, isDevice: false });
  k.ghostObjects.set(ROOT_TCB_PTR, { type: 'TCB', sizeBits: TCB_BITS, isDevice: false });
  k.ghostObjects.set(ROOT_PD_PTR, { type: 'PageDirectory', sizeBits: PAGE_DIRECTORY_BITS, isDevice: false });
  k.ghostObjects.set(ROOT_PT_PTR, { type: 'PageTable', sizeBits: PAGE_TABLE_BITS, isDevice: false });
  k.ghostObjects.set(ROOT_ASID_POOL_PTR, { type: 'ASIDPool', sizeBits: ASID_POOL_BITS, isDevice: false });
  for (const f of [ROOT_IPC_BUFFER_PTR, ROOT_BOOTINFO_PTR, ROOT_IMAGE_FRAME_PTR]) k.ghostObjects.set(f, { type: 'Frame', sizeBits: PAGE_BITS, isDevice: false });

  copyGlobalMappings(k, GLOBAL_PD_PTR, ROOT_PD_PTR);
  k.mem.store(pdSlot(ROOT_PD_PTR, 0), makeCoarsePDE(ROOT_PT_PTR, false));
  const map = (vaddr: number, frame: number, exec: boolean) =>
    k.mem.store(ptSlot(ROOT_PT_PTR, vaddr), makeSmallPTE(frame, VM_READ_WRITE, { cacheable: true, parity: false, executeNever: !exec }));
  map(ROOT_IMAGE_VADDR, ROOT_IMAGE_FRAME_PTR, true);
  map(ROOT_BOOTINFO_VADDR, ROOT_BOOTINFO_PTR, false);
  map(ROOT_IPC_BUFFER_VADDR, ROOT_IPC_BUFFER_PTR, false);
  k.armKSASIDTable.set(asidHigh(ROOT_ASID), ROOT_ASID_POOL_PTR);
  k.mem.store(asidPoolEntry(ROOT_ASID_POOL_PTR, ROOT_ASID), ROOT_PD_PTR);
  // The root task starts in the first scheduled domain, which runs first.
  const { schedule, first } = bootDomainSchedule(config);
  const firstDomain = first.domain;
  bootInfoWords(firstDomain).forEach((w, i) => k.mem.store(ROOT_BOOTINFO_PTR + 4 * i, w));

  // The root CNode's caps.
  const root = (i: number) => slotPtr(ROOT_CNODE_PTR, i);
  const frame = (p: number, vaddr: number) => frameCapNew(p, 12, VM_READ_WRITE, false, ROOT_ASID, vaddr);
  writeSlot(k, root(InitSlot.ThreadTCB), threadCapNew(ROOT_TCB_PTR));
  writeSlot(k, root(InitSlot.ThreadCNode), cnodeCapNew(ROOT_CNODE_PTR, ROOT_CNODE_SIZE_BITS, 0, ROOT_CNODE_GUARD_SIZE));
  writeSlot(k, root(InitSlot.ThreadVSpace), pageDirectoryCapNew(ROOT_PD_PTR, true, ROOT_ASID));
  writeSlot(k, root(InitSlot.IRQControl), capOfType(CapTag.IRQControl));
  writeSlot(k, root(InitSlot.ASIDControl), capOfType(CapTag.ASIDControl));
  writeSlot(k, root(InitSlot.ThreadASIDPool), asidPoolCapNew(ROOT_ASID_POOL_PTR, 0));
  writeSlot(k, root(InitSlot.BootInfoFrame), frame(ROOT_BOOTINFO_PTR, ROOT_BOOTINFO_VADDR));
  writeSlot(k, root(InitSlot.ThreadIPCBuffer), frame(ROOT_IPC_BUFFER_PTR, ROOT_IPC_BUFFER_VADDR));
  writeSlot(k, root(InitSlot.Domain), capOfType(CapTag.Domain));
  writeSlot(k, root(InitSlot.UserImageFrame), frame(ROOT_IMAGE_FRAME_PTR, ROOT_IMAGE_VADDR));
  writeSlot(k, root(InitSlot.UserImagePaging), pageTableCapNew(ROOT_PT_PTR, true, ROOT_ASID, 0));
  BOOT_UNTYPEDS.forEach((u, i) => writeSlot(k, root(InitSlot.FirstUntyped + i), untypedCapNew(u.paddr, u.sizeBits, 0, u.isDevice)));

  // create_initial_thread: its slots are derived from the boot caps.
  const tcbSlot = (i: number) => slotPtr(ROOT_TCB_PTR, i);
  cteInsert(k, cnodeCapNew(ROOT_CNODE_PTR, ROOT_CNODE_SIZE_BITS, 0, ROOT_CNODE_GUARD_SIZE), root(InitSlot.ThreadCNode), tcbSlot(TCB_CTABLE));
  cteInsert(k, pageDirectoryCapNew(ROOT_PD_PTR, true, ROOT_ASID), root(InitSlot.ThreadVSpace), tcbSlot(TCB_VTABLE));
  const bufferCap = deriveCap(k, root(InitSlot.ThreadIPCBuffer), frame(ROOT_IPC_BUFFER_PTR, ROOT_IPC_BUFFER_VADDR)).cap;
  cteInsert(k, bufferCap, root(InitSlot.ThreadIPCBuffer), tcbSlot(TCB_BUFFER));
  tcbSet(k, ROOT_TCB_PTR, Tcb.ipcBuffer, ROOT_IPC_BUFFER_VADDR);
  setRegister(k, ROOT_TCB_PTR, CAP_REGISTER, ROOT_BOOTINFO_VADDR);
  setRegister(k, ROOT_TCB_PTR, NEXT_IP, ROOT_IMAGE_VADDR);
  setRegister(k, ROOT_TCB_PTR, CPSR, CPSR_USER);
  tcbSet(k, ROOT_TCB_PTR, Tcb.priority, MAX_PRIO);
  tcbSet(k, ROOT_TCB_PTR, Tcb.mcp, MAX_PRIO);
  tcbSet(k, ROOT_TCB_PTR, Tcb.domain, firstDomain);
  tcbSet(k, ROOT_TCB_PTR, Tcb.timeSlice, TIME_SLICE);
  setupReplyMaster(k, ROOT_TCB_PTR);
  tsSet(k, ROOT_TCB_PTR, ThreadStateW.tsType, TS.Running);

  // The scheduler: the root task is current; the domain schedule starts at entry 0.
  k.ksCurThread = ROOT_TCB_PTR;
  k.ksDomSchedule = schedule;
  k.ksCurDomain = first.domain;
  k.ksDomainTime = first.length;
  return k;
};
