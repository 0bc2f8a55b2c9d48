/**
 * What each arm shows: a decision under an assignment (`assign.ts`). The
 * holdout gets the default content everywhere (the shop's popular items, the
 * variant slots' unconditional content, nothing read about the visitor); an
 * experiment's arm changes one slot's strategy, model or content variant and
 * the slot is decided again with that change, so the business rules (stock,
 * cart, diversity, frequency caps) apply identically in every arm. Pure.
 */
import { decide, type DecidedSlot, type DecisionInput } from '../engine/decide';
import type { LoadedModel } from '../model/recommend';
import type { SlotConfig, SlotConfigs, VariantSlotConfig } from '../slots/config';
import { HOLDOUT, INTERLEAVED, type Assignment } from './assign';
import { inForce, withoutCapped } from './caps';
import type { DecisionRecord, SlotRecord } from './decision';
import type { ExperimentsConfig } from './config';
import { teamDraft } from './interleave';

/** The variant slot a holdout visitor sees: its unconditional content (the last variant when every one has conditions). */
function defaultContent(config: VariantSlotConfig): VariantSlotConfig {
  const plain = config.variants.find((variant) => !variant.when) ?? config.variants[config.variants.length - 1]!;
  return { ...config, variants: [plain] };
}

/** The slot with one variant forced (an arm's content), its conditions lifted; the slot as configured when the variant is unknown. */
function withVariant(config: SlotConfig, variant: string): SlotConfig {
  if (config.kind !== 'variants') return config;
  const chosen = config.variants.find((v) => v.id === variant);
  return chosen ? { ...config, variants: [{ ...chosen, when: undefined }] } : config;
}

/**
 * Decides one slot again with its configuration (and model) changed. Only
 * the page's slots up to it are decided with it: they are the ones whose
 * items it must not repeat, and the slots after it cannot change it.
 */
function redecide(input: DecisionInput, slot: string, config: SlotConfig, model: LoadedModel | undefined): DecidedSlot {
  const slots: SlotConfigs = { ...input.slots, [slot]: config };
  const upTo = input.request.slots.findIndex((s) => s.id === slot);
  const request = { ...input.request, slots: input.request.slots.slice(0, upTo + 1) };
  return decide({ ...input, request, slots, model })[slot]!;
}

/**
 * Decides every slot under `assignment`; `models` holds the stored model
 * versions arms and interleavings name (a version that could not be loaded
 * leaves its arm on the active model, and the arm is still recorded: the
 * comparison stays intention-to-treat).
 */
export function decideAssigned(
  input: DecisionInput,
  assignment: Assignment,
  config: ExperimentsConfig,
  models: ReadonlyMap<string, LoadedModel>,
  random: () => number,
): { slots: Record<string, DecidedSlot>; record: Omit<DecisionRecord, 'id' | 'at'> } {
  const record: Omit<DecisionRecord, 'id' | 'at'> = { s: {}, ...(assignment.holdout ? { h: assignment.holdout.arm, hp: assignment.holdout.probability, he: assignment.holdout.experiment } : {}) };
  // Frequency caps first, so that every arm (the holdout's too) decides among what the visitor may still be shown.
  const { slots: allowed, empty } = withoutCapped(input.slots, inForce(input.profile?.capped, input.now));
  const result = decideArms({ ...input, slots: allowed }, assignment, config, models, random, record);
  for (const id of empty) {
    if (!result[id]) continue;
    result[id] = { title: result[id].title, items: [] };
    record.s[id] = {};
  }
  return { slots: result, record };
}

function decideArms(
  input: DecisionInput,
  assignment: Assignment,
  config: ExperimentsConfig,
  models: ReadonlyMap<string, LoadedModel>,
  random: () => number,
  record: Omit<DecisionRecord, 'id' | 'at'>,
): Record<string, DecidedSlot> {
  if (assignment.holdout?.arm === HOLDOUT) {
    const slots = Object.fromEntries(Object.entries(input.slots).map(([id, slot]) => [id, slot.kind === 'variants' ? defaultContent(slot) : slot]));
    const decided = decide({ ...input, slots, model: undefined, profile: null });
    for (const [id, slot] of Object.entries(decided)) record.s[id] = recordOf(slot);
    return decided;
  }
  const decided = decide(input);
  for (const experiment of config.experiments) {
    const assigned = assignment.slots[experiment.slot];
    const base = decided[experiment.slot];
    if (!assigned || !base) continue;
    const slotConfig = input.slots[experiment.slot]!;
    let shown = base;
    let teams: string | undefined;
    if (experiment.kind === 'interleave') {
      const candidate = assigned.arm === INTERLEAVED ? models.get(experiment.candidate) : undefined;
      if (candidate) {
        const other = redecide(input, experiment.slot, slotConfig, candidate);
        const byId = new Map([...other.items, ...base.items].map((item) => [item.id, item]));
        const draft = teamDraft(base.items.map((item) => item.id), other.items.map((item) => item.id), base.items.length, random);
        shown = { ...base, items: draft.items.map((id) => byId.get(id)!) };
        teams = draft.teams.map((team) => (team === 'a' ? 'a' : 'c')).join('');
      }
    } else {
      const arm = experiment.kind === 'ab' ? experiment.arms.find((a) => a.id === assigned.arm)! : undefined;
      const variant = experiment.kind === 'bandit' ? [experiment.control, ...experiment.arms].find((a) => a.id === assigned.arm)!.variant : arm?.variant;
      if (variant !== undefined) shown = redecide(input, experiment.slot, withVariant(slotConfig, variant), input.model);
      else if (arm?.strategy && slotConfig.kind === 'items') shown = redecide(input, experiment.slot, { ...slotConfig, strategy: arm.strategy }, input.model);
      else if (arm?.model !== undefined) shown = redecide(input, experiment.slot, slotConfig, models.get(arm.model) ?? input.model);
    }
    decided[experiment.slot] = shown;
    record.s[experiment.slot] = { e: assigned.experiment, a: assigned.arm, p: assigned.probability, ...recordOf(shown), ...(teams ? { t: teams } : {}) };
  }
  for (const [id, slot] of Object.entries(decided)) record.s[id] ??= recordOf(slot);
  return decided;
}

function recordOf(slot: DecidedSlot): SlotRecord {
  return slot.variant ? { v: slot.variant.id } : { i: slot.items.map((item) => item.id) };
}

/** The stored model versions an assignment needs besides the active one. */
export function modelsNeeded(config: ExperimentsConfig, assignment: Assignment): string[] {
  const versions = new Set<string>();
  for (const e of config.experiments) {
    const assigned = assignment.slots[e.slot];
    if (!assigned) continue;
    if (e.kind === 'interleave' && assigned.arm === INTERLEAVED) versions.add(e.candidate);
    if (e.kind === 'ab') {
      const model = e.arms.find((arm) => arm.id === assigned.arm)?.model;
      if (model !== undefined) versions.add(model);
    }
  }
  return [...versions];
}
