/**
 * What the IPC fastpath did: how often it was tried, how often it carried the
 * syscall to the end itself, and, for every attempt that went to the slow path,
 * the first precondition that failed. The list of reasons is complete, so a
 * report can show the ones never met.
 *
 * This module has no imports: the Kernel class (impl/model/state.ts) holds the
 * counters, and the fastpath itself imports the Kernel.
 */

/** The checks both fastpaths make first: the message-info word, the current thread, the cap. */
const SHARED_REASONS = ['message-too-long', 'extra-caps', 'thread-has-fault', 'cap-not-endpoint'] as const;

/** fastpath_call's own checks, in the order they run. */
const CALL_REASONS = [
  'no-send-right',
  'endpoint-not-receiving',
  'dest-vspace-invalid',
  'dest-lower-priority',
  'no-grant-right',
  'dest-asid-invalid',
  'dest-other-domain',
] as const;

/** fastpath_reply_recv's own checks, in the order they run. */
const REPLY_RECV_REASONS = [
  'not-receive-right',
  'bound-notification-active',
  'endpoint-has-senders',
  'no-reply-cap',
  'caller-has-fault',
  'caller-vspace-invalid',
  'caller-not-highest-priority',
  'caller-asid-invalid',
  'caller-other-domain',
] as const;

/** Every reason the fastpath gives up, in the order its checks run (shared checks first). */
export const FALLBACK_REASONS = [...SHARED_REASONS, ...CALL_REASONS, ...REPLY_RECV_REASONS] as const;

export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** The reasons each fastpath can give (the shared four belong to both). */
export const CALL_FALLBACK_REASONS: readonly FallbackReason[] = [...SHARED_REASONS, ...CALL_REASONS];
export const REPLY_RECV_FALLBACK_REASONS: readonly FallbackReason[] = [...SHARED_REASONS, ...REPLY_RECV_REASONS];


export type FastpathSyscall = 'Call' | 'ReplyRecv';

export interface FastpathCounts {
  attempts: number;
  hits: number;
}

export interface FastpathStats {
  /** Syscalls the fastpath looked at (Call and ReplyRecv with the fastpath switched on). */
  attempts: number;
  /** Attempts the fastpath completed on its own. */
  hits: number;
  /** Attempts that went to the slow path, by the first failing precondition. */
  readonly fallbacks: Record<FallbackReason, number>;
  /** The same attempts and hits, split by syscall. */
  readonly bySyscall: Record<FastpathSyscall, FastpathCounts>;
}

export const newFastpathStats = (): FastpathStats => ({
  attempts: 0,
  hits: 0,
  fallbacks: Object.fromEntries(FALLBACK_REASONS.map((r) => [r, 0])) as Record<FallbackReason, number>,
  bySyscall: { Call: { attempts: 0, hits: 0 }, ReplyRecv: { attempts: 0, hits: 0 } },
});

/** The reasons never met so far (for a report). */
export const reasonsNeverHit = (s: FastpathStats): FallbackReason[] => FALLBACK_REASONS.filter((r) => s.fallbacks[r] === 0);

/** Add the counters of `b` into `a` (to sum the statistics of many runs). */
export const addFastpathStats = (a: FastpathStats, b: FastpathStats): FastpathStats => {
  a.attempts += b.attempts;
  a.hits += b.hits;
  for (const r of FALLBACK_REASONS) a.fallbacks[r] += b.fallbacks[r];
  for (const s of ['Call', 'ReplyRecv'] as const) {
    a.bySyscall[s].attempts += b.bySyscall[s].attempts;
    a.bySyscall[s].hits += b.bySyscall[s].hits;
  }
  return a;
};
