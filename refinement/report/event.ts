/**
 * A readable rendering of events for counterexamples and replays: the syscall
 * by name, the invoked cptr, the invocation label by name with its arguments
 * named where seL4's interface names them, the extra caps and receive slot.
 */
import { type Event, INVOCATION_LABELS, OBJECT_TYPES, rawMessageInfo, syscallOf } from '../../spec/api';

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
};

const num = (w: number): string => (w >>> 0 >= 0x1000 ? '0x' + (w >>> 0).toString(16) : String(w >>> 0));

export const renderEvent = (e: Event): string => {
  switch (e.kind) {
    case 'syscall': {
      const name = syscallOf(e.sysno) ?? `syscall#${e.sysno | 0}`;
      const parts: string[] = [name];
      if (e.cptr !== undefined) parts.push(`cptr=${num(e.cptr)}`);
      if (e.info !== undefined) {
        const mi = rawMessageInfo(e.info);
        const label = INVOCATION_LABELS[mi.label] ?? `label#${mi.label}`;
        const names = ARG_NAMES[label] ?? [];
        const mrs = (e.mrs ?? []).slice(0, mi.length);
        const args = mrs.map((w, i) => {
          const n = names[i];
          const v = n === 'type' ? (OBJECT_TYPES[w] ?? `#${w}`) : num(w);
          return n === undefined ? v : `${n}=${v}`;
        });
        parts.push(`${label}(${args.join(', ')})`);
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
