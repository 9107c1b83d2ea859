/**
 * What the generated traces did, counted from consecutive spec states: Call /
 * Reply round trips completed, blocked IPC cancelled by deleting or revoking
 * its endpoint, signals reaching bound notifications, faults delivered to
 * handlers, and more. The check reports these so a user can see that deep
 * paths were reached, not just that nothing failed.
 */
import { type Event, MSG_INFO_REGISTER, messageInfoFromWord } from '../spec/api';
import { type Invoked, registerOf } from './invoked';
import type { OutcomeLabel } from './outcome';
import type { KernelState } from '../spec/model/state';
import type { TCB } from '../spec/model/structures';
import type { FallbackReason } from '../impl/fastpath/reasons';
import { type FastpathStats, addFastpathStats, newFastpathStats, reasonsNeverHit } from './fastpathStats';

export const STATISTICS = [
  'threadsSpawned',
  'contextSwitches',
  'callReplyRoundTrips',
  'blockedSendersAndReceivers',
  'blockedIPCCancelledByDeletion',
  'signalsToBoundNotifications',
  'faultsDeliveredToHandlers',
  'faultReplies',
  'capsTransferred',
  'multiCapIPC',
  'badgeMatchedCancel',
  'badgeMatchedCancelBehindOther',
  'domainSwitches',
] as const;
export type Statistic = (typeof STATISTICS)[number];

/** How the summary names each statistic. */
export const STATISTIC_LABELS: Readonly<Record<Statistic, string>> = {
  threadsSpawned: 'threads spawned (Resume of a new thread)',
  contextSwitches: 'context switches',
  callReplyRoundTrips: 'Call/Reply round trips completed',
  blockedSendersAndReceivers: 'threads blocked sending or receiving',
  blockedIPCCancelledByDeletion: 'blocked IPC cancelled by Delete/Revoke',
  signalsToBoundNotifications: 'signals to bound notifications',
  faultsDeliveredToHandlers: 'faults delivered to handlers',
  faultReplies: 'fault replies (thread restarted)',
  capsTransferred: 'caps transferred by IPC',
  multiCapIPC: 'IPC delivered with 2-3 caps (Grant)',
  badgeMatchedCancel: 'CancelBadgedSends restarting a sender',
  badgeMatchedCancelBehindOther: '… behind a differently badged one',
  domainSwitches: 'domain switches',
};

export class Statistics {
  readonly counts: Record<Statistic, number> = Object.fromEntries(STATISTICS.map((k) => [k, 0])) as Record<Statistic, number>;
  /** Runs in which each statistic happened at least once. */
  readonly runsWith: Record<Statistic, number> = Object.fromEntries(STATISTICS.map((k) => [k, 0])) as Record<Statistic, number>;
  private inRun = new Set<Statistic>();

  private add(k: Statistic, n = 1): void {
    if (n <= 0) return;
    this.counts[k] += n;
    this.inRun.add(k);
  }

  /** The counts of whole runs as data, and their sum into this one. */
  snapshot(): { counts: Record<Statistic, number>; runsWith: Record<Statistic, number> } {
    return { counts: { ...this.counts }, runsWith: { ...this.runsWith } };
  }
  absorb(s: { readonly counts: Readonly<Record<Statistic, number>>; readonly runsWith: Readonly<Record<Statistic, number>> }): void {
    for (const k of STATISTICS) {
      this.counts[k] += s.counts[k];
      this.runsWith[k] += s.runsWith[k];
    }
  }

  /** One row per statistic: how often it happened, and in how many runs. */
  rows(): Array<{ name: Statistic; label: string; count: number; runs: number }> {
    return STATISTICS.map((name) => ({ name, label: STATISTIC_LABELS[name], count: this.counts[name], runs: this.runsWith[name] }));
  }

  endRun(): void {
    for (const k of this.inRun) this.runsWith[k]++;
    this.inRun = new Set();
  }

  private observeThread(old: TCB, t: TCB, event: Event, outcome: OutcomeLabel | undefined, deleting: boolean, signalling: boolean): void {
    const a = old.state._tag;
    const b = t.state._tag;
    if (a === 'Inactive' && (b === 'Restart' || b === 'Running') && old.priority === t.priority && event.kind === 'syscall' && outcome?.target === 'TCBResume')
      this.add('threadsSpawned');
    if (a === 'BlockedOnReply' && b === 'Running' && old.fault === null) this.add('callReplyRoundTrips');
    if (a === 'BlockedOnReply' && old.fault !== null && t.fault === null) this.add('faultReplies');
    if ((b === 'BlockedOnSend' || b === 'BlockedOnReceive') && a !== b) this.add('blockedSendersAndReceivers');
    // Cancelled IPC restarts the thread (activation may already have made it Running).
    if ((a === 'BlockedOnSend' || a === 'BlockedOnReceive' || a === 'BlockedOnNotification') && (b === 'Restart' || b === 'Running') && deleting)
      this.add('blockedIPCCancelledByDeletion');
    if (old.fault === null && t.fault !== null && (b === 'BlockedOnSend' || b === 'BlockedOnReply')) this.add('faultsDeliveredToHandlers');
    if (signalling && t.boundNotification !== null && a === 'BlockedOnReceive' && b === 'Running') this.add('signalsToBoundNotifications');
  }

  /**
   * Messages with several extra caps that reached a receiver (sent to a waiting
   * receiver, or taken by a receive from a queued sender), and CancelBadgedSends
   * that restarted senders: with a sender of another badge ahead in the queue,
   * the cancellation had to pick the matching ones out.
   */
  private observeMessages(before: KernelState, after: KernelState, outcome: OutcomeLabel, invoked: Invoked): void {
    const ep = invoked.cap?._tag === 'EndpointCap' ? invoked.cap : undefined;
    // Only with Grant does the kernel look at a message's extra caps at all.
    const sent = outcome.target === 'Endpoint' && outcome.result === 'delivered' && (outcome.kind === 'Send' || outcome.kind === 'NBSend' || outcome.kind === 'Call');
    if (sent && ep?.canGrant === true && messageInfoFromWord(invoked.info).extraCaps >= 2) this.add('multiCapIPC');
    // A receive that took a queued message took the head of the endpoint's send queue.
    const e = ep === undefined ? undefined : before.objects.get(ep.ptr);
    if (outcome.target === 'Endpoint' && outcome.result === 'received' && e?._tag === 'Endpoint' && e.state._tag === 'SendEP') {
      const head = e.state.queue[0];
      const st = head === undefined ? undefined : (before.objects.get(head) as TCB | undefined)?.state;
      if (head !== undefined && st?._tag === 'BlockedOnSend' && st.canGrant && messageInfoFromWord(registerOf(before, head, MSG_INFO_REGISTER)).extraCaps >= 2)
        this.add('multiCapIPC');
    }
    if (outcome.target === 'CNodeCancelBadgedSends' && outcome.result === 'ok') {
      for (const [p, o] of before.objects) {
        if (o._tag !== 'Endpoint' || o.state._tag !== 'SendEP') continue;
        const next = after.objects.get(p);
        if (next === o || next?._tag !== 'Endpoint') continue;
        const kept = new Set(next.state._tag === 'SendEP' ? next.state.queue : []);
        const removed = o.state.queue.map((t) => !kept.has(t));
        if (!removed.includes(true)) continue;
        this.add('badgeMatchedCancel');
        // A kept sender ahead of a removed one: the cancellation skipped over another badge.
        if (removed.some((r, i) => !r && removed.indexOf(true, i + 1) >= 0)) this.add('badgeMatchedCancelBehindOther');
      }
    }
  }

  observe(before: KernelState, after: KernelState, event: Event, outcome: OutcomeLabel | undefined, invoked?: Invoked): void {
    if (after.curThread !== before.curThread) this.add('contextSwitches');
    if (after.curDomain !== before.curDomain) this.add('domainSwitches');
    const deleting = outcome?.target === 'CNodeDelete' || outcome?.target === 'CNodeRevoke';
    const signalling = outcome?.target === 'Notification' && (outcome.kind === 'Send' || outcome.kind === 'NBSend' || outcome.kind === 'Call');
    // The objects the event wrote (the persistent map's journal says which; all of them if it cannot).
    for (const p of after.objects.changedSince(before.objects) ?? after.objects.keys()) {
      const o = after.objects.get(p);
      const prev = before.objects.get(p);
      if (prev === o || prev === undefined || o === undefined) continue;
      if (o._tag === 'TCB' && prev._tag === 'TCB' && p !== after.idleThread) this.observeThread(prev, o, event, outcome, deleting, signalling);
      if (signalling && o._tag === 'Notification' && o.boundTCB !== null && o.state._tag === 'ActiveNtfn' && prev._tag === 'Notification' && prev.state._tag !== 'ActiveNtfn')
        this.add('signalsToBoundNotifications');
    }
    if (invoked !== undefined && outcome !== undefined) this.observeMessages(before, after, outcome, invoked);
    if (event.kind === 'syscall') {
      // A cap landed in a slot that was empty, by IPC rather than a CNode or Untyped invocation.
      const ipcTarget = outcome?.target === 'Endpoint' || outcome?.target === 'Reply' || outcome?.kind === 'Reply' || outcome?.kind === 'ReplyRecv';
      if (ipcTarget) {
        let n = 0;
        for (const slot of after.caps.changedSince(before.caps) ?? after.caps.keys()) {
          const c = after.caps.get(slot);
          if (c !== undefined && !before.caps.has(slot) && c._tag !== 'ReplyCap') n++;
        }
        this.add('capsTransferred', n);
      }
    }
  }
}

/**
 * The fastpath's share of the IPCs it serves (Call on an endpoint, ReplyRecv),
 * summed over runs and per run, and how often each precondition sent an attempt to the slow
 * path (the reasons never met show what the generator still misses).
 */
export interface FastpathSnapshot {
  readonly total: FastpathStats;
  readonly perRunHitRates: readonly number[];
  readonly runsWithHits: number;
  readonly ipcs: number;
}

export class FastpathTally {
  readonly total: FastpathStats = newFastpathStats();
  /** Each run's hit rate (runs without any attempt are left out). */
  readonly perRunHitRates: number[] = [];
  runsWithHits = 0;
  /** IPCs the fastpath is for: Call on an endpoint cap, and ReplyRecv. */
  ipcs = 0;
  private ipcsThisRun = 0;

  /** Count an event's outcome if it is one of the IPCs the fastpath serves. */
  observe(o: OutcomeLabel | undefined): void {
    if (o !== undefined && ((o.kind === 'Call' && o.target === 'Endpoint') || o.kind === 'ReplyRecv')) this.ipcsThisRun++;
  }

  addRun(s: FastpathStats): void {
    addFastpathStats(this.total, s);
    if (this.ipcsThisRun > 0) this.perRunHitRates.push(s.hits / this.ipcsThisRun);
    if (s.hits > 0) this.runsWithHits++;
    this.ipcs += this.ipcsThisRun;
    this.ipcsThisRun = 0;
  }

  /** The counts of whole runs as data, and their sum into this one (per-run rates in run order). */
  snapshot(): FastpathSnapshot {
    return { total: structuredClone(this.total), perRunHitRates: [...this.perRunHitRates], runsWithHits: this.runsWithHits, ipcs: this.ipcs };
  }
  absorb(s: FastpathSnapshot): void {
    addFastpathStats(this.total, s.total);
    this.perRunHitRates.push(...s.perRunHitRates);
    this.runsWithHits += s.runsWithHits;
    this.ipcs += s.ipcs;
  }

  /** The share of fastpath IPCs (Call on an endpoint, ReplyRecv) that took it. */
  get hitRate(): number {
    return this.ipcs === 0 ? 0 : this.total.hits / this.ipcs;
  }

  /** The per-run hit rate's minimum, median and maximum. */
  perRun(): { min: number; median: number; max: number } {
    const xs = [...this.perRunHitRates].sort((a, b) => a - b);
    if (xs.length === 0) return { min: 0, median: 0, max: 0 };
    return { min: xs[0] ?? 0, median: xs[Math.floor(xs.length / 2)] ?? 0, max: xs[xs.length - 1] ?? 0 };
  }

  reasonsNeverHit(): FallbackReason[] {
    return reasonsNeverHit(this.total);
  }
}
