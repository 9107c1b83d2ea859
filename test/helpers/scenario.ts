/**
 * Scenario helpers: run events through both kernels in lock step (so every
 * scenario is also a refinement check) with the scenario API's runScenario,
 * which throws a ScenarioError with the told report on any divergence or
 * invariant violation; and read what the calling thread got back.
 */
import type { BootConfig, Event } from '../../spec/api';
import { type ScenarioOptions, type ScenarioRun, runScenario } from '../../refinement/scenario';

export { type Reply, ROOT, replyOf, rootSlot, rootSlotPtr } from '../../refinement/scenario';

export type Scenario = Pick<ScenarioRun, 'state' | 'outcomes' | 'lockStep'>;

/**
 * `run` with any scenario options (the fastpath switched on, mutants, a boot
 * config); the spec state is also checked for well-formedness unless
 * `opts.checkSpec` is null.
 */
export const runWithOptions = (events: readonly Event[], opts: ScenarioOptions = {}): Scenario => runScenario(events, opts);

/** Run events in lock step; throw a ScenarioError on any divergence or invariant violation. */
export const run = (events: readonly Event[], mutants: readonly string[] = []): Scenario => runWithOptions(events, { mutants });

/** `run` on a system booted with `config` (for example a domain schedule). */
export const runWith = (config: BootConfig, events: readonly Event[], mutants: readonly string[] = []): Scenario => runWithOptions(events, { config, mutants });
