import { describe, expect, it } from 'vitest';
import { wellFormed } from '../../invariants/wellFormed';
import { CHECK_BOOT_CONFIG, type RunOptions, checkRefinement } from '../../refinement/check';
import { Names } from '../../refinement/report/names';
import { renderStory, tell } from '../../refinement/report/story';
import { bootState, step } from '../../spec/kernel';
import { TCB_CALLER } from '../../spec/model/structures';
import { CNODE, FREE, ObjType, untypedSlot } from '../helpers/boot';
import { ROOT_CNODE_PTR, SysNBSend } from '../../spec/api';
import { Untyped, syscall } from '../../refinement/scenario';

/** The counterexample a check with this mutant finds (seed 1 unless given), told. */
const toldCounterexample = async (mutant: string, seed = 1): Promise<string[]> => {
  const r = await checkRefinement({ seed, runs: 100, steps: 200, mutants: [mutant], checkSpec: wellFormed });
  const c = r.counterexample;
  if (c === undefined) throw new Error(`no counterexample for ${mutant}`);
  const opts: RunOptions = { mutants: [mutant], config: CHECK_BOOT_CONFIG, fastpath: 'both', checkSpec: wellFormed };
  return renderStory(tell(c.events, opts));
};

describe('refinement/report/story: a counterexample in seL4 terms', () => {
  it('tells badge-not-delivered by thread, cap and message, with the sides set apart where they part', async () => {
    const lines = await toldCounterexample('badge-not-delivered');
    const text = lines.join('\n');
    const steps = lines.filter((l) => /^ +\d+\. /.test(l));
    expect(steps.length).toBeGreaterThan(2);
    // Every step names the thread it acts for.
    const thread = String.raw`(T\d+ \((root task|TCB made at step \d+), prio \d+, domain \d+\)|idle)`;
    for (const l of steps) expect(l).toMatch(new RegExp(String.raw`^ +\d+\. ((tick|interrupt \d+) while ${thread} runs$|${thread}: )`));
    // The receive resolves its cptr to the endpoint cap, and no message or invocation is decoded for it: the outcome follows.
    const recv = lines.findIndex((l) => / Recv /.test(l));
    expect(lines[recv]).toMatch(/Recv cptr \d+ = rootCNode\[\d+\] EndpointCap\(EP\d+, badge \d+, rights [RWG ]+\)( receive slot \([^)]*\))?$/);
    expect(lines[recv + 1]).toMatch(/^ +→ Endpoint: received/);
    // The send is an IPC: its message is told as label, length and MRs.
    expect(text).toMatch(/EndpointCap\(EP\d+, badge [1-9]\d*, [^)]*\)\n +message label \d+, length \d+, MRs \[/);
    // A context switch is marked, and the receiver is a thread made in the trace.
    expect(text).toMatch(/→ Endpoint: blocked; T([2-9]|\d{2,}) runs/);
    // At the failing step the sides are shown for the acting thread, and the badge register is where they part.
    expect(text).toMatch(/side by side:\n +spec +impl +impl \(fastpath on\)/);
    expect(text).toMatch(/T\d+\.r0 \(badge\) +[1-9]\d* +0 +0 +← they part/);
    expect(text).toMatch(/divergence after step \d+: spec and abstracted impl differ\n {2}T\d+\.r0 \(badge\): spec [1-9]\d* \| impl 0$/);
    // No raw address paths remain.
    expect(text).not.toMatch(/objects\[0x|caps\[0x/);
  }, 60_000);

  it('names slots and CDT entries by their CNode and index in a cap-derivation counterexample', async () => {
    // Seed 4 finds this one in a few seconds, shrinking included.
    const text = (await toldCounterexample('mint-keeps-old-badge', 4)).join('\n');
    expect(text).toMatch(
      /CNodeMint\(dest_index=\d+, dest_depth=32, src_index=\d+, src_depth=32, rights=\d+, badge=\w+\) with caps \[cptr 2 = rootCNode\[2\] CNodeCap\(rootCNode, radix \d+, guard 0 of \d+ bits\)\]/,
    );
    expect(text).toMatch(/ {2}rootCNode\[\d+\]: spec \(absent\) \| impl EndpointCap\(EP1, badge \d+, rights [RWG ]+\)/);
    expect(text).toMatch(/ {2}cdt\.parent\[rootCNode\[\d+\]\]: spec \(absent\) \| impl rootCNode\[\d+\]/);
  }, 60_000);
});

describe('refinement/report/names', () => {
  it('numbers objects by kind in the order they appear, and names slots, registers and paths by them', () => {
    const boot = bootState(CHECK_BOOT_CONFIG);
    const names = new Names(boot);
    expect(names.object(boot.curThread)).toBe('T1');
    expect(names.object(boot.idleThread)).toBe('idle');
    const retype = Untyped.retype(untypedSlot(21), ObjType.TCB, 0, CNODE, 0, 0, FREE, 1);
    const s = step(boot, retype).state;
    names.observe(s, 1);
    const made = [...s.objects.keys()].find((p) => !boot.objects.has(p)) as number;
    expect(names.object(made)).toBe('T2');
    expect(names.thread(s, made)).toMatch(/^T2 \(TCB made at step 1, prio 0, domain 0\)$/);
    expect(names.thread(s, boot.curThread)).toMatch(/^T1 \(root task, prio 255, domain 0\)$/);
    const caller = made + TCB_CALLER * 16;
    expect(names.slot(s, caller)).toBe('T2.callerSlot');
    const root = ROOT_CNODE_PTR;
    const hex = (p: number) => `0x${p.toString(16)}`;
    expect(names.path(s, `caps[${hex(root + 13 * 16)}]`)).toBe('rootCNode[13]');
    expect(names.path(s, `objects[${hex(made)}].context[0]`)).toBe('T2.r0 (badge)');
    expect(names.path(s, `objects[${hex(made)}].context[3]`)).toBe('T2.r3 (MR1)');
    expect(names.path(s, `cdt.children[${hex(root + 13 * 16)}]`)).toBe('cdt.children[rootCNode[13]]');
    // Slot 0 of a CNode has the CNode's address: keyed by slot, it is the slot.
    expect(names.path(s, `cdt.parent[${hex(root)}]`)).toBe('cdt.parent[rootCNode[0]]');
    expect(names.path(s, `mdb[${hex(root)}].next`)).toBe('mdb[rootCNode[0]].next');
    expect(names.path(s, `objects[${hex(root)}].radix`)).toBe('rootCNode.radix');
    expect(names.value(s, 'cdt.parent[x]', root)).toBe('rootCNode[0]');
    // An object's address as a value gets its name beside it, but not in a register, where it is any number.
    expect(names.value(s, 'curThread', made)).toBe(`${hex(made)} (T2)`);
    expect(names.value(s, `objects[${hex(made)}].context[0]`, made)).toBe(hex(made));
    // An address that names nothing stays an address, in the one number convention.
    expect(names.path(s, 'cdt.parent[0x12345670]')).toBe('cdt.parent[0x12345670]');
    expect(names.path(s, 'objects[0x12345670].state')).toBe('objects[0x12345670].state');
    // An object that is gone loses its name: one made later at its address is another object.
    const gone = { ...s, objects: s.objects.delete(made) };
    names.observe(gone, 2);
    names.observe(s, 3);
    expect(names.thread(s, made)).toMatch(/^T3 \(TCB made at step 3, /);
  });
});

describe('refinement/report/story: steps the generator seldom makes', () => {
  const opts: RunOptions = { config: CHECK_BOOT_CONFIG, fastpath: 'both', checkSpec: wellFormed };

  it('tells a send on a notification cap as a signal, and a syscall that leaves its cptr and info in the registers', () => {
    const retype = Untyped.retype(untypedSlot(21), ObjType.Notification, 0, CNODE, 0, 0, FREE, 1);
    const signal = syscall({ sysno: SysNBSend, cptr: FREE });
    // r0 and r1 hold what the previous Call left there: told as read from them.
    const again = syscall({ sysno: SysNBSend });
    const lines = renderStory(tell([retype, signal, again], opts));
    const text = lines.join('\n');
    expect(text).toMatch(
      new RegExp(String.raw`2\. T1 [^\n]*: NBSend cptr ${FREE} = rootCNode\[${FREE}\] NotificationCap\(N1, badge 0, rights R W\)\n +signal \(badge 0\)\n +→ Notification: `),
    );
    expect(text).toMatch(/3\. T1 [^\n]*: NBSend cptr \w+ [^\n]*\(from r0\)/);
  });

  it('has no steps and no states for a failure at boot (the report prints it as recorded: test/cli/replayState.test.ts)', () => {
    const story = tell([], { ...opts, mutants: ['copy-marked-revocable'] });
    expect(story.failure?.step).toBe(0);
    expect(story.states).toEqual([]);
  });
});
