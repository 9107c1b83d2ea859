/**
 * A readable rendering of events for counterexamples and replays: the syscall
 * by name, the invoked cptr, the invocation label by name with its arguments
 * named where seL4's interface names them, the extra caps and receive slot.
 */
import { type Event, INVOCATION_LABELS, OBJECT_TYPES, rawMessageInfo, syscallOf } from '../../spec/api';
import { num } from './names';

const ARG_NAMES: Readonly<Record<string, readonly string[]>> = {
  UntypedRetype: ['type', 'size_bits', 'node_index', 'node_depth', 'node_offset', 'num_objects'],
  CNodeCopy: ['dest_index', 'dest_depth', 'src_index', 'src_depth', 'rights'],
  CNodeMint: ['dest_index', 'dest_depth', 'src_index', 'src_depth', 'rights', 'badge'],
  CNodeMove: ['dest_index', 'dest_depth', 'src_index', 'src_depth'],
  CNodeMutate: ['dest_index', 'dest_depth', 'src_index', 'src_depth', 'badge'],
  CNodeRotate: ['dest_index', 'dest_depth', 'dest_badge', 'pivot_index', 'pivot_depth', 'pivot_badge', 'src_index', 'src_depth'],
  CNodeRevoke: ['index', 'depth'],
  CNodeDelete: ['index', 'depth'],
  CNodeCancelBadgedSends: ['index', 'depth'],
  CNodeSaveCaller: ['index', 'depth'],
  TCBReadRegisters: ['flags', 'count'],
  TCBWriteRegisters: ['flags', 'count'],
  TCBCopyRegisters: ['flags'],
  TCBConfigure: ['fault_ep', 'cspace_root_data', 'vspace_root_data', 'buffer'],
  TCBSetPriority: ['priority'],
  TCBSetMCPriority: ['mcp'],
  TCBSetSchedParams: ['mcp', 'priority'],
  TCBSetIPCBuffer: ['buffer'],
  TCBSetSpace: ['fault_ep', 'cspace_root_data', 'vspace_root_data'],
  TCBSetTLSBase: ['tls_base'],
  TCBSetFlags: ['clear', 'set'],
  DomainSetSet: ['domain'],
  IRQIssueIRQHandler: ['irq', 'index', 'depth'],
};

/** An invocation's label by name and its message words, named where seL4's interface names them: `CNodeCopy(dest_index=3, …)`. */
export const renderInvocation = (info: number, mrs: readonly number[]): string => {
  const mi = rawMessageInfo(info);
  const label = INVOCATION_LABELS[mi.label] ?? `label#${mi.label}`;
  const names = ARG_NAMES[label] ?? [];
  const args = mrs.slice(0, mi.length).map((w, i) => {
    const n = names[i];
    const v = n === 'type' ? (OBJECT_TYPES[w] ?? `#${w}`) : num(w);
    return n === undefined ? v : `${n}=${v}`;
  });
  return `${label}(${args.join(', ')})`;
};

export const renderEvent = (e: Event): string => {
  switch (e.kind) {
    case 'syscall': {
      const name = syscallOf(e.sysno) ?? `syscall#${e.sysno | 0}`;
      const parts: string[] = [name];
      if (e.cptr !== undefined) parts.push(`cptr=${num(e.cptr)}`);
      if (e.info !== undefined) {
        const mi = rawMessageInfo(e.info);
        const mrs = (e.mrs ?? []).slice(0, mi.length);
        parts.push(renderInvocation(e.info, mrs));
        if (mi.extraCaps > 0 || (e.caps ?? []).length > 0) parts.push(`caps=[${(e.caps ?? []).slice(0, Math.max(mi.extraCaps, 0)).map(num).join(', ')}]`);
        if (mi.length > mrs.length) parts.push(`(length ${mi.length}, ${mrs.length} given)`);
      } else if (e.mrs !== undefined) parts.push(`mrs=[${e.mrs.map(num).join(', ')}]`);
      if (e.recv !== undefined) parts.push(`recv=(${num(e.recv.cnode)}, ${num(e.recv.index)}, ${e.recv.depth})`);
      return parts.join(' ');
    }
    case 'memory':
      return `memory ${e.op} ${num(e.vaddr)}${e.value === undefined ? '' : ` := ${num(e.value)}`}`;
    case 'interrupt':
      return `interrupt ${e.irq}`;
    case 'exception':
      return 'exception (undefined instruction)';
    case 'tick':
      return 'tick';
  }
};
