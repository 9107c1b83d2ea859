/**
 * A spec state as a user of seL4 looks at it, in the names of ./names.ts:
 * the scheduler, the threads (state, scheduling, the ABI registers, their cap
 * slots), the endpoints and notifications with their queues, each CNode's
 * caps, the capability derivation tree, and the other objects. `viewOfState`
 * builds it as plain data (JSON-safe: every number a safe integer, the domain
 * time a decimal string); `stateLines` prints it.
 */
import { BADGE_REGISTER, MSG_INFO_REGISTER, MSG_REGISTERS, NEXT_IP, SLOT_BITS, SP, TCB_SLOT_COUNT } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import type { PPtr, SlotPtr } from '../../spec/model/structures';
import { diff } from '../diff';
import { type Names, num, registerName } from './names';

export interface ThreadView {
  readonly name: string;
  readonly address: string;
  readonly state: string;
  readonly priority: number;
  readonly mcp: number;
  readonly domain: number;
  readonly boundNotification: string | null;
  readonly registers: Readonly<Record<string, string>>;
  readonly slots: Readonly<Record<string, string>>;
}

export interface StateView {
  readonly scheduler: {
    readonly current: string;
    readonly action: string;
    readonly domain: number;
    readonly domainTimeLeft: string;
    readonly readyQueues: ReadonlyArray<{ readonly domain: number; readonly priority: number; readonly threads: readonly string[] }>;
  };
  readonly threads: readonly ThreadView[];
  readonly endpoints: ReadonlyArray<{ readonly name: string; readonly state: string; readonly queue: readonly string[] }>;
  readonly notifications: ReadonlyArray<{ readonly name: string; readonly state: string; readonly queue: readonly string[]; readonly boundTCB: string | null }>;
  readonly cnodes: ReadonlyArray<{ readonly name: string; readonly radix: number; readonly slots: ReadonlyArray<{ readonly index: number; readonly cap: string }> }>;
  /** The derivation tree, depth first: each slot with its depth below its root. */
  readonly cdt: ReadonlyArray<{ readonly depth: number; readonly slot: string; readonly cap: string; readonly original: boolean }>;
  readonly otherObjects: ReadonlyArray<{ readonly name: string; readonly kind: string }>;
}

/** The registers a state view shows: the ABI's, then the stack pointer and the resume address. */
const SHOWN_REGISTERS: readonly number[] = [BADGE_REGISTER, MSG_INFO_REGISTER, ...MSG_REGISTERS, SP, NEXT_IP];

const byAddress = <A>(xs: Iterable<readonly [PPtr, A]>): Array<readonly [PPtr, A]> => [...xs].sort((a, b) => a[0] - b[0]);

export const viewOfState = (names: Names, s: KernelState): StateView => {
  const objects = byAddress(s.objects);
  const threads: ThreadView[] = [];
  const endpoints: Array<StateView['endpoints'][number]> = [];
  const notifications: Array<StateView['notifications'][number]> = [];
  const cnodes: Array<StateView['cnodes'][number]> = [];
  const otherObjects: Array<StateView['otherObjects'][number]> = [];
  for (const [p, o] of objects) {
    const name = names.object(p);
    switch (o._tag) {
      case 'TCB': {
        const slots: Record<string, string> = {};
        for (let i = 0; i < TCB_SLOT_COUNT; i++) {
          const slot = p + i * 2 ** SLOT_BITS;
          const cap = s.caps.get(slot);
          if (cap !== undefined) slots[names.slot(s, slot).slice(name.length + 1)] = names.cap(cap);
        }
        const registers: Record<string, string> = {};
        for (const r of SHOWN_REGISTERS) registers[registerName(r)] = num(o.context[r] ?? 0);
        threads.push({
          name,
          address: num(p),
          state: names.threadState(o.state),
          priority: o.priority,
          mcp: o.mcp,
          domain: o.domain,
          boundNotification: o.boundNotification === null ? null : names.object(o.boundNotification),
          registers,
          slots,
        });
        break;
      }
      case 'Endpoint':
        endpoints.push({ name, state: o.state._tag, queue: o.state._tag === 'IdleEP' ? [] : o.state.queue.map((t) => names.object(t)) });
        break;
      case 'Notification':
        notifications.push({
          name,
          state: o.state._tag === 'ActiveNtfn' ? `ActiveNtfn (badge ${num(o.state.badge)})` : o.state._tag,
          queue: o.state._tag === 'WaitingNtfn' ? o.state.queue.map((t) => names.object(t)) : [],
          boundTCB: o.boundTCB === null ? null : names.object(o.boundTCB),
        });
        break;
      case 'CNode': {
        const size = 2 ** (o.radix + SLOT_BITS);
        const slots = byAddress([...s.caps].filter(([slot]) => slot >= p && slot < p + size)).map(([slot, cap]) => ({ index: (slot - p) / 2 ** SLOT_BITS, cap: names.cap(cap) }));
        cnodes.push({ name, radix: o.radix, slots });
        break;
      }
      default:
        otherObjects.push({ name, kind: o._tag });
    }
  }
  const readyQueues = byAddress(s.readyQueues).map(([i, q]) => ({ domain: Math.floor(i / 256), priority: i % 256, threads: q.map((t) => names.object(t)) }));
  const action = s.schedulerAction._tag === 'SwitchToThread' ? `SwitchToThread ${names.object(s.schedulerAction.tcb)}` : s.schedulerAction._tag;
  return {
    scheduler: { current: names.object(s.curThread), action, domain: s.curDomain, domainTimeLeft: String(s.domainTime), readyQueues },
    threads,
    endpoints,
    notifications,
    cnodes,
    cdt: cdtRows(names, s),
    otherObjects,
  };
};

/** The derivation tree from its roots (slots with children and no parent), children in the CDT's order. */
const cdtRows = (names: Names, s: KernelState): StateView['cdt'] => {
  const rows: Array<StateView['cdt'][number]> = [];
  const seen = new Set<SlotPtr>();
  const visit = (slot: SlotPtr, depth: number): void => {
    if (seen.has(slot)) return;
    seen.add(slot);
    const cap = s.caps.get(slot);
    rows.push({ depth, slot: names.slot(s, slot), cap: cap === undefined ? '(empty)' : names.cap(cap), original: s.cdt.original.has(slot) });
    for (const c of s.cdt.children.get(slot) ?? []) visit(c, depth + 1);
  };
  const roots = [...s.cdt.children.keys()].filter((slot) => !s.cdt.parent.has(slot)).sort((a, b) => a - b);
  for (const r of roots) visit(r, 0);
  return rows;
};

/** The view as report lines. */
export const stateLines = (v: StateView): string[] => {
  const lines: string[] = [];
  const sc = v.scheduler;
  lines.push(`scheduler: ${sc.current} runs; action ${sc.action}; domain ${sc.domain}, ${sc.domainTimeLeft} ticks left`);
  lines.push(
    `  ready queues: ${sc.readyQueues.length === 0 ? '(all empty)' : sc.readyQueues.map((q) => `domain ${q.domain} prio ${q.priority} [${q.threads.join(', ')}]`).join('; ')}`,
  );
  lines.push('threads:');
  for (const t of v.threads) {
    lines.push(
      `  ${t.name} (${t.address}): ${t.state}; prio ${t.priority}, mcp ${t.mcp}, domain ${t.domain}${t.boundNotification === null ? '' : `, bound to ${t.boundNotification}`}`,
    );
    lines.push(
      `    ${Object.entries(t.registers)
        .map(([r, w]) => `${r} ${w}`)
        .join(', ')}`,
    );
    for (const [slot, cap] of Object.entries(t.slots)) lines.push(`    ${slot}: ${cap}`);
  }
  if (v.endpoints.length > 0) lines.push('endpoints:');
  for (const e of v.endpoints) lines.push(`  ${e.name}: ${e.state}${e.queue.length === 0 ? '' : ` [${e.queue.join(', ')}]`}`);
  if (v.notifications.length > 0) lines.push('notifications:');
  for (const n of v.notifications)
    lines.push(`  ${n.name}: ${n.state}${n.queue.length === 0 ? '' : ` [${n.queue.join(', ')}]`}${n.boundTCB === null ? '' : `, bound to ${n.boundTCB}`}`);
  lines.push('CNodes:');
  for (const c of v.cnodes) {
    lines.push(`  ${c.name} (radix ${c.radix}, ${c.slots.length} caps):`);
    for (const sl of c.slots) lines.push(`    [${sl.index}] ${sl.cap}`);
  }
  lines.push('capability derivation tree:');
  if (v.cdt.length === 0) lines.push('  (no derived caps)');
  for (const r of v.cdt) lines.push(`  ${'  '.repeat(r.depth)}${r.slot} ${r.cap}${r.original ? ' (original)' : ''}`);
  if (v.otherObjects.length > 0) lines.push(`other objects: ${v.otherObjects.map((o) => `${o.name} (${o.kind})`).join(', ')}`);
  return lines;
};

/** What each step changed in the spec state (TLC's difference trace), each side in the names of its own state. */
export const stepChanges = (
  namesAt: readonly Names[],
  states: readonly KernelState[],
): Array<{ readonly step: number; readonly changes: ReadonlyArray<{ readonly path: string; readonly before: string; readonly after: string }> }> =>
  states.slice(1).flatMap((after, i) => {
    const before = states[i] as KernelState;
    const was = namesAt[i];
    const now = namesAt[i + 1];
    if (was === undefined || now === undefined) return [];
    const changes = diff(before, after, 500).map((d) => ({ path: now.path(after, d.path), before: was.value(before, d.path, d.spec), after: now.value(after, d.path, d.impl) }));
    return [{ step: i + 1, changes }];
  });
