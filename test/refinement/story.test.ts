import { describe, expect, it } from 'vitest';
import { wellFormed } from '../../invariants/wellFormed';
import { CHECK_BOOT_CONFIG, type RunOptions, checkRefinement } from '../../refinement/check';
import { Names } from '../../refinement/report/names';
import { renderStory, tell } from '../../refinement/report/story';
import { bootState, step } from '../../spec/kernel';
import { TCB_CALLER } from '../../spec/model/structures';
import { CNODE, FREE, ObjType, untypedSlot } from '../helpers/boot';
import { invocationEvent, LABEL } from '../../spec/api';

/** The counterexample a check with this mutant finds (seed 1), told. */
const toldCounterexample = async (mutant: string): Promise<string[]> => {
  const r = await checkRefinement({ seed: 1, runs: 100, steps: 200, mutants: [mutant], checkSpec: wellFormed });
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
    // The receive resolves its cptr to the endpoint cap and is not decoded as an invocation.
    const recv = steps.find((l) => / Recv /.test(l));
    expect(recv).toMatch(/Recv cptr \d+ = rootCNode\[\d+\] EndpointCap\(EP\d+, badge \d+, rights [RWG ]+\)$/);
    // The send is an IPC: its message is told as label, length and MRs.
    expect(text).toMatch(/EndpointCap\(EP\d+, badge [1-9]\d*, [^)]*\)\n +message label \d+, length \d+, MRs \[/);
    // A context switch is marked, and the receiver is a thread made in the trace.
    expect(text).toMatch(/→ Endpoint: blocked; T\d+ runs/);
    // At the failing step the sides are shown for the acting thread, and the badge register is where they part.
    expect(text).toMatch(/side by side:\n +spec +impl +impl \(fastpath on\)/);
    expect(text).toMatch(/T\d+\.r0 \(badge\) +[1-9]\d* +0 +0 +← they part/);
    expect(text).toMatch(/divergence after step \d+: spec and abstracted impl differ\n {2}T\d+\.r0 \(badge\): spec [1-9]\d* \| impl 0$/);
    // No raw address paths remain.
    expect(text).not.toMatch(/objects\[0x|caps\[0x/);
  }, 60_000);

  it('names slots and CDT entries by their CNode and index in a cap-derivation counterexample', async () => {
    const text = (await toldCounterexample('mint-keeps-old-badge')).join('\n');
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
    const retype = invocationEvent(untypedSlot(21), LABEL.UntypedRetype, [ObjType.TCB, 0, 0, 0, FREE, 1], [CNODE]);
    const s = step(boot, retype).state;
    names.observe(s, 1);
    const made = [...s.objects.keys()].find((p) => !boot.objects.has(p)) as number;
    expect(names.object(made)).toBe('T2');
    expect(names.thread(s, made)).toMatch(/^T2 \(TCB made at step 1, prio 0, domain 0\)$/);
    expect(names.thread(s, boot.curThread)).toMatch(/^T1 \(root task, prio 255, domain 0\)$/);
    const caller = made + TCB_CALLER * 16;
    expect(names.slot(s, caller)).toBe('T2.callerSlot');
    const rootSlot = [...s.caps.keys()].find((slot) => names.slot(s, slot).startsWith('rootCNode[')) as number;
    const index = names.slot(s, rootSlot);
    expect(names.path(s, `caps[0x${rootSlot.toString(16)}]`)).toBe(index);
    expect(names.path(s, `objects[0x${made.toString(16)}].context[0]`)).toBe('T2.r0 (badge)');
    expect(names.path(s, `objects[0x${made.toString(16)}].context[3]`)).toBe('T2.r3 (MR1)');
    expect(names.path(s, `cdt.children[0x${rootSlot.toString(16)}]`)).toBe(`cdt.children[${index}]`);
    // An address that names nothing stays an address, in the one number convention.
    expect(names.path(s, 'cdt.parent[0x12345670]')).toBe('cdt.parent[0x12345670]');
  });
});
