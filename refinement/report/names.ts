/**
 * Names for what a counterexample is about, in place of raw addresses: threads
 * T1, T2… (the root task's is T1, the idle thread is `idle`), endpoints EP1…,
 * notifications N1…, CNodes CN1… (the root task's is `rootCNode`, the IRQ
 * node's `irqNode`), frames,
 * page tables and directories, ASID pools. Each is numbered in the order it
 * came to exist, and remembers the step that made it. Slots read as
 * `rootCNode[13]` or `T2.callerSlot`, registers as `T2.r0 (badge)`.
 *
 * Numbers follow one convention throughout the reports: hexadecimal from
 * 0x1000 up (addresses), decimal below.
 */
import { BADGE_REGISTER, MSG_INFO_REGISTER, MSG_REGISTERS, REGISTER_NAMES, SLOT_BITS, SYSCALL_NUMBER_REGISTER, TCB_SLOT_COUNT } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import { render } from '../diff';
import { type Cap, type KernelObject, type PPtr, type SlotPtr, TCB_CTABLE, type ThreadState } from '../../spec/model/structures';

/** A number as the reports write it. */
export const num = (w: number): string => (w >>> 0 >= 0x1000 ? '0x' + (w >>> 0).toString(16) : String(w >>> 0));

const PREFIX: Readonly<Record<KernelObject['_tag'], string>> = {
  TCB: 'T',
  Endpoint: 'EP',
  Notification: 'N',
  CNode: 'CN',
  Frame: 'F',
  PageTable: 'PT',
  PageDirectory: 'PD',
  ASIDPool: 'AP',
};

/** The TCB's cap slots, by index (seL4's tcb_cnode_index). */
const TCB_SLOT_NAMES: readonly string[] = ['ctable', 'vtable', 'replySlot', 'callerSlot', 'ipcBufferSlot'];

/** What a register means by the syscall ABI, where it means something. */
const registerRole = (i: number): string | undefined => {
  if (i === BADGE_REGISTER) return 'badge';
  if (i === MSG_INFO_REGISTER) return 'msgInfo';
  if (i === SYSCALL_NUMBER_REGISTER) return 'syscall';
  const mr = MSG_REGISTERS.indexOf(i);
  return mr >= 0 ? `MR${mr}` : undefined;
};

export const registerName = (i: number): string => {
  const role = registerRole(i);
  const name = REGISTER_NAMES[i] ?? `context[${i}]`;
  return role === undefined ? name : `${name} (${role})`;
};

interface Named {
  readonly name: string;
  readonly tag: KernelObject['_tag'];
  /** The step that made it (0: the boot state). */
  readonly step: number;
}

export class Names {
  private readonly byAddress = new Map<PPtr, Named>();
  private readonly counts = new Map<string, number>();
  private readonly rootThread: PPtr;

  /** Names for the boot state's objects: the root task's thread and CNode, the idle thread, then the rest in address order. */
  constructor(boot: KernelState) {
    this.rootThread = boot.curThread;
    this.give(boot.idleThread, 'TCB', 0, 'idle');
    this.give(boot.curThread, 'TCB', 0);
    const root = boot.caps.get(boot.curThread + TCB_CTABLE * 2 ** SLOT_BITS);
    if (root?._tag === 'CNodeCap') this.give(root.ptr, 'CNode', 0, 'rootCNode');
    if (boot.objects.get(boot.irqNode)?._tag === 'CNode') this.give(boot.irqNode, 'CNode', 0, 'irqNode');
    this.observe(boot, 0);
  }

  private give(p: PPtr, tag: KernelObject['_tag'], step: number, name?: string): void {
    if (this.byAddress.has(p)) return;
    const n = (this.counts.get(tag) ?? 0) + 1;
    if (name === undefined) this.counts.set(tag, n);
    this.byAddress.set(p, { name: name ?? `${PREFIX[tag]}${n}`, tag, step });
  }

  /**
   * Name the objects of `s` that have none yet, as made by step `step`. An
   * object that is gone loses its name, so one made later at its address
   * (a retype over reset memory) is a new object with a new name.
   */
  observe(s: KernelState, step: number): void {
    for (const [p, n] of [...this.byAddress]) if (s.objects.get(p)?._tag !== n.tag) this.byAddress.delete(p);
    const fresh = [...s.objects].filter(([p]) => !this.byAddress.has(p));
    for (const [p, o] of fresh.sort((a, b) => a[0] - b[0])) this.give(p, o._tag, step);
  }

  /** These names as they stand (the story keeps one per state). */
  snapshot(): Names {
    const copy = Object.create(Names.prototype) as Names;
    Object.assign(copy, { byAddress: new Map(this.byAddress), counts: new Map(this.counts), rootThread: this.rootThread });
    return copy;
  }

  /** The object a name names now, if any. */
  find(name: string): PPtr | undefined {
    for (const [p, n] of this.byAddress) if (n.name === name) return p;
    return undefined;
  }

  /** The names of the threads of `s`, in the order they were given. */
  threadNames(s: KernelState): string[] {
    return [...this.byAddress].filter(([p]) => s.objects.get(p)?._tag === 'TCB').map(([, n]) => n.name);
  }

  /** The object's name, or its address. */
  object(p: PPtr): string {
    return this.byAddress.get(p)?.name ?? num(p);
  }

  /** A thread as a step's actor: `T2 (TCB made at step 5, prio 255, domain 1)`. */
  thread(s: KernelState, t: PPtr): string {
    const n = this.byAddress.get(t);
    const o = s.objects.get(t);
    if (n === undefined || o?._tag !== 'TCB') return num(t);
    if (n.name === 'idle') return 'idle';
    const origin = t === this.rootThread ? 'root task' : `TCB made at step ${n.step}`;
    return `${n.name} (${origin}, prio ${o.priority}, domain ${o.domain})`;
  }

  /** A thread state, the objects it names by their names: `BlockedOnSend on EP1 (badge 3, a Call)`. */
  threadState(st: ThreadState): string {
    switch (st._tag) {
      case 'BlockedOnReceive':
        return `BlockedOnReceive on ${this.object(st.ep)}`;
      case 'BlockedOnSend':
        return `BlockedOnSend on ${this.object(st.ep)} (badge ${num(st.badge)}${st.isCall ? ', a Call' : ''})`;
      case 'BlockedOnNotification':
        return `BlockedOnNotification on ${this.object(st.ntfn)}`;
      default:
        return st._tag;
    }
  }

  /** A slot by its container: `rootCNode[13]`, `T2.callerSlot`, or its address. */
  slot(s: KernelState, slot: SlotPtr): string {
    for (const [p, n] of this.byAddress) {
      const o = s.objects.get(p);
      if (o?._tag === 'CNode' && slot >= p && slot < p + 2 ** (o.radix + SLOT_BITS)) return `${n.name}[${(slot - p) / 2 ** SLOT_BITS}]`;
      if (o?._tag === 'TCB' && slot >= p && slot < p + TCB_SLOT_COUNT * 2 ** SLOT_BITS) return `${n.name}.${TCB_SLOT_NAMES[(slot - p) / 2 ** SLOT_BITS] ?? num(slot)}`;
    }
    return num(slot);
  }

  /** A cap, its object named: `EndpointCap(EP1, badge 7, rights R W)`. */
  cap(c: Cap): string {
    const rights = (r: ReadonlyArray<readonly [boolean, string]>) => {
      const on = r.filter(([b]) => b).map(([, n]) => n);
      return on.length === 0 ? 'no rights' : `rights ${on.join(' ')}`;
    };
    switch (c._tag) {
      case 'NullCap':
      case 'IRQControlCap':
      case 'DomainCap':
      case 'ASIDControlCap':
        return c._tag;
      case 'UntypedCap':
        return `UntypedCap(${num(c.ptr)}, 2^${c.blockSize} bytes, ${num(c.freeIndex)} used${c.isDevice ? ', device' : ''})`;
      case 'EndpointCap':
        return `EndpointCap(${this.object(c.ptr)}, badge ${num(c.badge)}, ${rights([
          [c.canReceive, 'R'],
          [c.canSend, 'W'],
          [c.canGrant, 'G'],
          [c.canGrantReply, 'GR'],
        ])})`;
      case 'NotificationCap':
        return `NotificationCap(${this.object(c.ptr)}, badge ${num(c.badge)}, ${rights([
          [c.canReceive, 'R'],
          [c.canSend, 'W'],
        ])})`;
      case 'ReplyCap':
        return `ReplyCap(${this.object(c.tcb)}${c.master ? ', master' : ''}${c.canGrant ? ', G' : ''})`;
      case 'CNodeCap':
        return `CNodeCap(${this.object(c.ptr)}, radix ${c.radix}, guard ${num(c.guard)} of ${c.guardSize} bits)`;
      case 'ThreadCap':
        return `ThreadCap(${this.object(c.tcb)})`;
      case 'IRQHandlerCap':
        return `IRQHandlerCap(${c.irq})`;
      case 'ZombieCap':
        return `ZombieCap(${this.object(c.ptr)}, ${c.number} left)`;
      case 'FrameCap':
        return `FrameCap(${this.object(c.ptr)}, 2^${c.sizeBits} bytes, ${c.rights}${c.isDevice ? ', device' : ''}${c.mapped === null ? '' : `, mapped at ${num(c.mapped.vaddr)} in ASID ${c.mapped.asid}`})`;
      case 'PageTableCap':
        return `PageTableCap(${this.object(c.ptr)}${c.mapped === null ? '' : `, mapped at ${num(c.mapped.vaddr)} in ASID ${c.mapped.asid}`})`;
      case 'PageDirectoryCap':
        return `PageDirectoryCap(${this.object(c.ptr)}${c.mappedASID === null ? '' : `, ASID ${c.mappedASID}`})`;
      case 'ASIDPoolCap':
        return `ASIDPoolCap(${this.object(c.ptr)}, base ${c.asidBase})`;
      case 'SGISignalCap':
        return `SGISignalCap(irq ${c.irq}, target ${c.target})`;
    }
  }

  /**
   * A difference's value in these names: caps by their objects, CDT entries
   * by their slots, an object's address with its name beside it (not in a
   * register or memory word, where it may be any number), numbers in one
   * convention.
   */
  value(s: KernelState, path: string, x: unknown): string {
    const slots = path.startsWith('cdt.');
    const word = /\.r\d+|\.context\[|^userMemory|\.(sp|lr|nextIP|cpsr|faultIP|tpidrurw|tpidruro)\b/.test(path);
    if (typeof x === 'number') return slots ? this.slot(s, x) : !word && this.byAddress.has(x) ? `${num(x)} (${this.object(x)})` : num(x);
    if (slots && Array.isArray(x)) return `[${x.map((y) => (typeof y === 'number' ? this.slot(s, y) : render(y))).join(', ')}]`;
    // A set's difference comes as a list of addresses.
    if (slots && typeof x === 'string') return x.replace(/0x([0-9a-f]+)/g, (_, hex: string) => this.slot(s, Number.parseInt(hex, 16)));
    if (typeof x === 'object' && x !== null && '_tag' in x && typeof x._tag === 'string' && x._tag.endsWith('Cap')) return this.cap(x as Cap);
    return render(x);
  }

  /**
   * A difference's path in these names: `objects[0x…].context[0]` reads
   * `T2.r0 (badge)`, `caps[0x…]` reads `rootCNode[13]`, and any other
   * address in brackets is the object or slot it names.
   */
  path(s: KernelState, path: string): string {
    // The CDT and the MDB are keyed by slots; elsewhere an address in brackets is an object's, or else a slot's.
    const slots = /^(cdt\.|mdb\[|slot\[)/.test(path);
    const address = (hex: string): string => {
      const p = Number.parseInt(hex, 16);
      return !slots && this.byAddress.has(p) ? this.object(p) : this.slot(s, p);
    };
    return path
      .replace(/^objects\[0x([0-9a-f]+)\]\.context\[(\d+)\]/, (whole: string, hex: string, i: string) => {
        const p = Number.parseInt(hex, 16);
        return this.byAddress.has(p) ? `${this.object(p)}.${registerName(Number(i))}` : whole;
      })
      .replace(/^objects\[0x([0-9a-f]+)\]/, (whole: string, hex: string) => (this.byAddress.has(Number.parseInt(hex, 16)) ? this.object(Number.parseInt(hex, 16)) : whole))
      .replace(/^(caps|mdb|slot)\[0x([0-9a-f]+)\]/, (_whole: string, kind: string, hex: string) => {
        const named = this.slot(s, Number.parseInt(hex, 16));
        return kind === 'caps' ? named : `${kind}[${named}]`;
      })
      .replace(/\[0x([0-9a-f]+)\]/g, (_, hex: string) => `[${address(hex)}]`);
  }
}
