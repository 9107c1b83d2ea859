/**
 * What the IPC fastpath did in a run: how often it was tried, how often it
 * carried the syscall to the end itself, and the first failing precondition of
 * every attempt that went to the slow path. The counting is a patch of the
 * fastpath's two entry points (impl/model/seam.ts), so the kernel keeps no
 * statistics of its own.
 */
import { fastpathCall, fastpathReplyRecv } from '../impl/fastpath/fastpath';
import { FALLBACK_REASONS, type FallbackReason, type FastpathSyscall } from '../impl/fastpath/reasons';
import { type Patch, patch } from '../impl/model/seam';

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

/** The patches that count a fastpath kernel's attempts into `stats`. */
export const countingFastpath = (stats: FastpathStats): Patch[] => {
  const count = (which: FastpathSyscall, r: 'hit' | FallbackReason) => {
    stats.attempts++;
    stats.bySyscall[which].attempts++;
    if (r === 'hit') {
      stats.hits++;
      stats.bySyscall[which].hits++;
    } else stats.fallbacks[r]++;
    return r;
  };
  return [
    patch(fastpathCall, (call) => (k, cptr, info) => count('Call', call(k, cptr, info))),
    patch(fastpathReplyRecv, (replyRecv) => (k, cptr, info) => count('ReplyRecv', replyRecv(k, cptr, info))),
  ];
};
