/**
 * Coverage by argument: for each invocation and IPC, which values of the
 * arguments that change its path were met (extra-cap counts, message and
 * register counts, rights masks, badges and the queue states a message or a
 * cancellation found), and which values of those never were. The (invocation,
 * outcome) table says what happened; this says with what.
 */
import * as E from 'fp-ts/Either';
import { type Event, MSG_MAX_LENGTH, messageInfoFromWord, rawMessageInfo } from '../spec/api';
import { lookupCap, lookupTargetSlot } from '../spec/kernel/cspace';
import { getCap } from '../spec/model/heap';
import type { KernelState } from '../spec/model/state';
import type { Cap, PPtr } from '../spec/model/structures';
import { invocationKey } from './coverage';
import type { Invoked } from './invoked';
import type { OutcomeLabel } from './outcome';

/** A dimension: its name, the values it can take (the domain), and how an event's value is read. */
interface Dimension {
  readonly name: string;
  readonly domain: readonly string[];
  readonly value: (c: Context) => string | undefined;
}

interface Context {
  readonly before: KernelState;
  readonly event: Event & { kind: 'syscall' };
  readonly outcome: OutcomeLabel;
  /** The raw message info the thread trapped with (its length not yet clamped). */
  readonly info: { readonly label: number; readonly extraCaps: number; readonly length: number };
  readonly args: readonly number[];
  /** The cap the syscall invoked, if it resolved. */
  readonly cap: Cap | undefined;
}

const bucket = (n: number, edges: ReadonlyArray<readonly [number, string]>, rest: string): string => edges.find(([max]) => n <= max)?.[1] ?? rest;

const extraCaps: Dimension = { name: 'extra caps', domain: ['0', '1', '2', '3'], value: (c) => String(c.info.extraCaps) };

const messageLength: Dimension = {
  name: 'length',
  domain: ['0', '1..4', '5..119', '120', '>120'],
  value: (c) =>
    bucket(
      c.info.length,
      [
        [0, '0'],
        [4, '1..4'],
        [MSG_MAX_LENGTH - 1, '5..119'],
        [MSG_MAX_LENGTH, '120'],
      ],
      '>120',
    ),
};

const endpointOf = (c: Context) => (c.cap?._tag === 'EndpointCap' ? c.before.objects.get(c.cap.ptr) : undefined);

const endpointQueue: Dimension = {
  name: 'queue',
  domain: ['idle', 'senders', 'receivers'],
  value: (c) => {
    const e = endpointOf(c);
    if (e?._tag !== 'Endpoint') return undefined;
    return e.state._tag === 'IdleEP' ? 'idle' : e.state._tag === 'SendEP' ? 'senders' : 'receivers';
  },
};

const capBadge: Dimension = {
  name: 'badge',
  domain: ['0', 'badged'],
  value: (c) => (c.cap?._tag === 'EndpointCap' || c.cap?._tag === 'NotificationCap' ? (c.cap.badge === 0 ? '0' : 'badged') : undefined),
};

/** Whether an extra cap names the endpoint the message goes through (the receiver gets its badge, unwrapped). */
const unwrapping: Dimension = {
  name: 'unwraps',
  domain: ['no', 'yes'],
  value: (c) => {
    if (c.info.extraCaps === 0 || c.cap?._tag !== 'EndpointCap') return undefined;
    const ep = c.cap.ptr;
    const found = (c.event.caps ?? []).slice(0, c.info.extraCaps).some((cptr) => {
      const r = lookupCap(c.before, c.before.curThread, cptr);
      return E.isRight(r) && r.right._tag === 'EndpointCap' && r.right.ptr === ep;
    });
    return found ? 'yes' : 'no';
  },
};

const notificationOf = (c: Context) => (c.cap?._tag === 'NotificationCap' ? c.before.objects.get(c.cap.ptr) : undefined);

const notificationState: Dimension = {
  name: 'state',
  domain: ['idle', 'waiting', 'active'],
  value: (c) => {
    const n = notificationOf(c);
    if (n?._tag !== 'Notification') return undefined;
    return n.state._tag === 'IdleNtfn' ? 'idle' : n.state._tag === 'WaitingNtfn' ? 'waiting' : 'active';
  },
};

const notificationBound: Dimension = {
  name: 'bound',
  domain: ['no', 'yes'],
  value: (c) => {
    const n = notificationOf(c);
    return n?._tag === 'Notification' ? (n.boundTCB === null ? 'no' : 'yes') : undefined;
  },
};

const arg = (i: number, name: string, domain: readonly string[], f: (w: number) => string): Dimension => ({
  name,
  domain,
  value: (c) => (c.args[i] === undefined || i >= c.info.length ? undefined : f(c.args[i] >>> 0)),
});

const RIGHTS = Array.from({ length: 16 }, (_, i) => `0x${i.toString(16)}`);
const rightsMask = (i: number): Dimension => arg(i, 'rights', RIGHTS, (w) => `0x${(w & 0xf).toString(16)}`);
const badgeArg = (i: number): Dimension => arg(i, 'badge', ['0', 'badged'], (w) => (w === 0 ? '0' : 'badged'));

/** The endpoint a CNode invocation's target slot holds, and the send queue the cancellation finds there. */
const cancelQueue: Dimension = {
  name: 'senders',
  domain: ['none', 'none with the badge', 'the badge first', 'the badge behind another'],
  value: (c) => {
    if (c.cap === undefined || c.args.length < 2) return undefined;
    const slot = lookupTargetSlot(c.before, c.cap, c.args[0] ?? 0, c.args[1] ?? 0);
    if (E.isLeft(slot)) return undefined;
    const ep = getCap(c.before, slot.right);
    if (ep._tag !== 'EndpointCap' || ep.badge === 0) return undefined;
    const e = c.before.objects.get(ep.ptr);
    if (e?._tag !== 'Endpoint' || e.state._tag !== 'SendEP') return 'none';
    const badges = e.state.queue.map((t: PPtr) => {
      const o = c.before.objects.get(t);
      return o?._tag === 'TCB' && o.state._tag === 'BlockedOnSend' ? o.state.badge : undefined;
    });
    // Every sender ahead of the first with the badge has another one.
    const first = badges.indexOf(ep.badge);
    return first < 0 ? 'none with the badge' : first > 0 ? 'the badge behind another' : 'the badge first';
  },
};

const registerCount = (i: number): Dimension =>
  arg(i, 'count', ['0', '1', '2..18', '19', '>19'], (w) =>
    bucket(
      w,
      [
        [0, '0'],
        [1, '1'],
        [18, '2..18'],
        [19, '19'],
      ],
      '>19',
    ),
  );

const priority = (i: number): Dimension =>
  arg(i, 'priority', ['0', '1..254', '255', '>255'], (w) =>
    bucket(
      w,
      [
        [0, '0'],
        [254, '1..254'],
        [255, '255'],
      ],
      '>255',
    ),
  );

/** What varies, per invocation (named as the coverage table names them; IPC by syscall and object). */
const DIMENSIONS: Readonly<Record<string, readonly Dimension[]>> = {
  UntypedRetype: [
    arg(0, 'type', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'invalid'], (w) => (w <= 10 ? String(w) : 'invalid')),
    arg(5, 'objects', ['0', '1', '2..255', '256', '>256'], (w) =>
      bucket(
        w,
        [
          [0, '0'],
          [1, '1'],
          [255, '2..255'],
          [256, '256'],
        ],
        '>256',
      ),
    ),
  ],
  CNodeCopy: [rightsMask(4)],
  CNodeMint: [rightsMask(4), badgeArg(5)],
  CNodeMutate: [badgeArg(4)],
  CNodeCancelBadgedSends: [cancelQueue],
  TCBReadRegisters: [registerCount(1)],
  TCBWriteRegisters: [registerCount(1)],
  TCBSetPriority: [priority(0)],
  TCBSetMCPriority: [priority(0)],
  TCBSetSchedParams: [{ ...priority(0), name: 'mcp' }, priority(1)],
  'Send(Endpoint)': [extraCaps, messageLength, endpointQueue, capBadge, unwrapping],
  'NBSend(Endpoint)': [extraCaps, messageLength, endpointQueue, capBadge, unwrapping],
  'Call(Endpoint)': [extraCaps, messageLength, endpointQueue, capBadge, unwrapping],
  'Recv(Endpoint)': [endpointQueue],
  'NBRecv(Endpoint)': [endpointQueue],
  'ReplyRecv(Endpoint)': [endpointQueue],
  'Send(Notification)': [notificationState, notificationBound, capBadge],
  'NBSend(Notification)': [notificationState, notificationBound, capBadge],
  'Call(Notification)': [notificationState, notificationBound, capBadge],
  'Recv(Notification)': [notificationState, notificationBound],
  'NBRecv(Notification)': [notificationState, notificationBound],
};

export interface ArgumentRow {
  readonly invocation: string;
  readonly dimension: string;
  /** Every value of the dimension's domain with its count (0: never met). */
  readonly counts: ReadonlyArray<readonly [string, number]>;
}

export class ArgumentCoverage {
  /** invocation → dimension → value → count. */
  private readonly counts = new Map<string, Map<string, Map<string, number>>>();

  record(o: OutcomeLabel, before: KernelState, event: Event, invoked: Invoked): void {
    if (event.kind !== 'syscall') return;
    const invocation = invocationKey(o);
    const dims = DIMENSIONS[invocation];
    if (dims === undefined) return;
    const raw = messageInfoFromWord(invoked.info);
    const info = { label: raw.label, extraCaps: raw.extraCaps, length: rawMessageInfo(invoked.info).length };
    const c: Context = { before, event, outcome: o, info, args: event.mrs ?? [], cap: invoked.cap };
    let byDim = this.counts.get(invocation);
    if (byDim === undefined) {
      byDim = new Map();
      this.counts.set(invocation, byDim);
    }
    for (const d of dims) {
      const v = d.value(c);
      if (v === undefined) continue;
      let byValue = byDim.get(d.name);
      if (byValue === undefined) {
        byValue = new Map();
        byDim.set(d.name, byValue);
      }
      byValue.set(v, (byValue.get(v) ?? 0) + 1);
    }
  }

  /** The counts as data, and their sum into this one. */
  snapshot(): Array<[string, Array<[string, Array<[string, number]>]>]> {
    return [...this.counts].map(([inv, dims]) => [inv, [...dims].map(([d, values]) => [d, [...values]])]);
  }
  absorb(counts: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, number]>]>]>): void {
    for (const [inv, dims] of counts) {
      const byDim = this.counts.get(inv) ?? new Map<string, Map<string, number>>();
      this.counts.set(inv, byDim);
      for (const [d, values] of dims) {
        const byValue = byDim.get(d) ?? new Map<string, number>();
        byDim.set(d, byValue);
        for (const [v, n] of values) byValue.set(v, (byValue.get(v) ?? 0) + n);
      }
    }
  }

  /** For each invocation reached and each of its dimensions, the count of every value (in the domain's order). */
  rows(): ArgumentRow[] {
    const out: ArgumentRow[] = [];
    for (const [invocation, dims] of Object.entries(DIMENSIONS)) {
      const byDim = this.counts.get(invocation);
      if (byDim === undefined) continue;
      for (const d of dims) {
        const byValue = byDim.get(d.name) ?? new Map<string, number>();
        out.push({ invocation, dimension: d.name, counts: d.domain.map((v) => [v, byValue.get(v) ?? 0] as const) });
      }
    }
    return out;
  }

  /** The (invocation, dimension = value) combinations never met, among the invocations that were. */
  neverReached(): string[] {
    return this.rows().flatMap((r) => r.counts.filter(([, n]) => n === 0).map(([v]) => `${r.invocation} ${r.dimension}=${v}`));
  }
}
