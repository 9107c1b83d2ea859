/**
 * Coverage of (invocation, outcome) pairs: which decoder errors, faults and
 * successes the generated traces reached. The known pairs are the outcomes
 * seL4 documents for each invocation, so the table also shows what was not
 * reached.
 */
import type { Outcome } from '../spec/kernel';

export const coverageKey = (o: Outcome): string => `${o.target ?? o.kind} → ${o.result}`;

/** The outcomes each CNode/Untyped invocation can have, in seL4's documentation. */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  UntypedRetype: [
    'ok',
    'IllegalOperation',
    'TruncatedMessage',
    'InvalidArgument',
    'RangeError',
    'FailedLookup',
    'DeleteFirst',
    'NotEnoughMemory',
    'CapFault',
  ],
  CNodeCopy: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst', 'RevokeFirst', 'IllegalOperation', 'CapFault'],
  CNodeMint: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst', 'RevokeFirst', 'IllegalOperation', 'CapFault'],
  CNodeMove: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst', 'IllegalOperation', 'CapFault'],
  CNodeMutate: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst', 'IllegalOperation', 'CapFault'],
  CNodeRotate: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst', 'IllegalOperation', 'CapFault'],
  CNodeDelete: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError'],
  CNodeRevoke: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError'],
  CNodeCancelBadgedSends: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'IllegalOperation'],
  CNodeSaveCaller: ['ok', 'TruncatedMessage', 'FailedLookup', 'RangeError', 'DeleteFirst'],
  InvokeNull: ['InvalidCapability'],
  InvokeEndpoint: ['ok', 'InvalidCapability'],
  InvokeNotification: ['ok', 'InvalidCapability'],
  InvokeReply: ['ok', 'InvalidCapability'],
  Send: ['CapFault'],
  Call: ['CapFault'],
  NBSend: ['CapFault'],
  UnknownSyscall: ['UnknownSyscall'],
};

export const knownPairs = (): string[] => {
  const out: string[] = [];
  for (const [inv, results] of Object.entries(KNOWN)) for (const r of results) out.push(`${inv} → ${r}`);
  return out;
};

export class Coverage {
  readonly counts = new Map<string, number>();

  record(o: Outcome): void {
    const key = coverageKey(o);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
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
    for (const [pair, count] of [...this.counts.entries()].sort())
      if (!known.includes(pair)) rows.push({ pair, count, known: false });
    return rows;
  }
}

