/**
 * Coverage of (invocation, outcome) pairs: which decoder errors, faults and
 * successes the generated traces reached. The known pairs are the outcomes
 * seL4 documents for each invocation, so the table also shows what was not
 * reached.
 */
import { type OutcomeLabel, type ResultName, isIPCObject } from './outcome';

/** The invocation (or event) an outcome belongs to; IPC outcomes depend on the syscall, so its key names it: `Call(Endpoint)`. */
export const invocationKey = (o: OutcomeLabel): string => (isIPCObject(o.target) ? `${o.kind}(${o.target})` : (o.target ?? o.kind));

/** The coverage table's key of an outcome: `CNodeCopy → ok`, `Call(Endpoint) → delivered`. */
export const coverageKey = (o: OutcomeLabel): string => `${invocationKey(o)} → ${o.result}`;

const CNODE_MOVE_LIKE: readonly ResultName[] = ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst', 'CapFault'];
/** Copy, Mint, Mutate and Rotate can make an invalid cap (IllegalOperation); Move moves whatever is there. */
const CNODE_COPY_LIKE: readonly ResultName[] = [...CNODE_MOVE_LIKE, 'IllegalOperation'];
const SIGNAL: readonly ResultName[] = ['woke-waiter', 'woke-bound', 'activated', 'merged'];
const PRIORITY_SETTER: readonly ResultName[] = ['ok', 'TruncatedMessage', 'RangeError', 'InvalidCapability'];
/** seL4's PD cache operations: an unmapped start succeeds silently (ok too). */
const PD_FLUSH: readonly ResultName[] = ['ok', 'TruncatedMessage', 'InvalidArgument', 'IllegalOperation', 'InvalidCapability', 'FailedLookup', 'RangeError'];
const PAGE_FLUSH: readonly ResultName[] = ['ok', 'TruncatedMessage', 'IllegalOperation', 'FailedLookup', 'InvalidArgument', 'InvalidCapability'];

/** The outcomes each invocation, IPC and event can have, in seL4's documentation and sources. */
const KNOWN: Readonly<Record<string, readonly ResultName[]>> = {
  // Untyped and CNode invocations.
  UntypedRetype: ['ok', 'TruncatedMessage', 'InvalidArgument', 'RangeError', 'FailedLookup', 'DeleteFirst', 'NotEnoughMemory', 'CapFault'],
  CNodeCopy: [...CNODE_COPY_LIKE, 'RevokeFirst'],
  CNodeMint: [...CNODE_COPY_LIKE, 'RevokeFirst'],
  CNodeMove: CNODE_MOVE_LIKE,
  CNodeMutate: CNODE_COPY_LIKE,
  CNodeRotate: CNODE_COPY_LIKE,
  CNodeDelete: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError'],
  CNodeRevoke: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError'],
  CNodeCancelBadgedSends: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'IllegalOperation'],
  CNodeSaveCaller: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst'],
  InvokeUntyped: ['IllegalOperation'],
  InvokeCNode: ['IllegalOperation'],
  InvokeNull: ['InvalidCapability'],
  // TCB invocations.
  TCBReadRegisters: ['ok', 'TruncatedMessage', 'RangeError', 'IllegalOperation'],
  TCBWriteRegisters: ['ok', 'TruncatedMessage', 'IllegalOperation'],
  TCBCopyRegisters: ['ok', 'TruncatedMessage', 'InvalidCapability'],
  TCBConfigure: ['ok', 'TruncatedMessage', 'IllegalOperation', 'AlignmentError'],
  TCBSetPriority: PRIORITY_SETTER,
  TCBSetMCPriority: PRIORITY_SETTER,
  TCBSetSchedParams: PRIORITY_SETTER,
  TCBSetIPCBuffer: ['ok', 'TruncatedMessage', 'IllegalOperation', 'AlignmentError'],
  TCBSetSpace: ['ok', 'TruncatedMessage', 'IllegalOperation'],
  TCBSuspend: ['ok'],
  TCBResume: ['ok'],
  TCBBindNotification: ['ok', 'TruncatedMessage', 'IllegalOperation'],
  TCBUnbindNotification: ['ok', 'IllegalOperation'],
  TCBSetTLSBase: ['ok', 'TruncatedMessage'],
  TCBSetFlags: ['ok', 'TruncatedMessage'],
  InvokeThread: ['IllegalOperation'],
  // Domain invocations.
  DomainSetSet: ['ok', 'TruncatedMessage', 'InvalidArgument'],
  DomainScheduleConfigure: ['ok', 'TruncatedMessage', 'RangeError', 'InvalidArgument'],
  DomainScheduleSetStart: ['ok', 'TruncatedMessage', 'RangeError', 'InvalidArgument'],
  InvokeDomain: ['IllegalOperation'],
  // VSpace invocations (Map, Unmap, MakePool and Assign are not modelled yet: spec/DEVIATIONS.md 1).
  // The four cache operations share one decoder path per cap type (properties/outcome.ts).
  ARMPDFlush: PD_FLUSH,
  ARMPageFlush: PAGE_FLUSH,
  ARMPageGetAddress: ['ok'],
  InvokePageDirectory: ['IllegalOperation'],
  InvokePageTable: ['IllegalOperation'],
  InvokeFrame: ['IllegalOperation'],
  InvokeASIDControl: ['IllegalOperation'],
  InvokeASIDPool: ['IllegalOperation'],
  // IPC: what a message or signal met.
  'Send(Endpoint)': ['delivered', 'blocked'],
  'Call(Endpoint)': ['delivered', 'blocked', 'InvalidCapability', 'CapFault'],
  'NBSend(Endpoint)': ['delivered', 'dropped', 'InvalidCapability'],
  'Send(Notification)': SIGNAL,
  'NBSend(Notification)': SIGNAL,
  'Call(Notification)': [...SIGNAL, 'InvalidCapability'],
  'Call(Reply)': ['replied'],
  'Recv(Endpoint)': ['received', 'received-signal', 'blocked'],
  'NBRecv(Endpoint)': ['received', 'empty'],
  'ReplyRecv(Endpoint)': ['received', 'received-signal', 'blocked'],
  'Recv(Notification)': ['received', 'blocked'],
  'NBRecv(Notification)': ['received', 'empty'],
  'ReplyRecv(Notification)': ['received', 'blocked'],
  Reply: ['replied', 'no-caller'],
  Yield: ['ok'],
  // Faults, from syscalls and from user mode, and the timer.
  Send: ['CapFault'],
  Call: ['CapFault'],
  NBSend: ['CapFault'],
  Recv: ['CapFault'],
  NBRecv: ['CapFault'],
  ReplyRecv: ['CapFault'],
  UnknownSyscall: ['UnknownSyscall'],
  exception: ['UserException'],
  tick: ['ok'],
};

export const knownPairs = (): string[] => {
  const out: string[] = [];
  for (const [inv, results] of Object.entries(KNOWN)) for (const r of results) out.push(`${inv} → ${r}`);
  return out;
};

export class Coverage {
  readonly counts = new Map<string, number>();

  record(o: OutcomeLabel): void {
    const key = coverageKey(o);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The counts as data (for a worker or a shard to hand over), and their sum into this one. */
  snapshot(): Array<[string, number]> {
    return [...this.counts];
  }
  absorb(counts: ReadonlyArray<readonly [string, number]>): void {
    for (const [k, n] of counts) this.counts.set(k, (this.counts.get(k) ?? 0) + n);
  }

  /** Known pairs reached, and all known pairs. */
  summary(): { hit: number; known: number } {
    const known = knownPairs();
    return { hit: known.filter((k) => this.counts.has(k)).length, known: known.length };
  }

  /** Rows of the coverage table: every known pair with its count, then pairs seen but not listed. */
  table(): Array<{ pair: string; count: number; known: boolean }> {
    const known = knownPairs();
    const rows = known.map((pair) => ({ pair, count: this.counts.get(pair) ?? 0, known: true }));
    for (const [pair, count] of [...this.counts.entries()].sort()) if (!known.includes(pair)) rows.push({ pair, count, known: false });
    return rows;
  }
}
