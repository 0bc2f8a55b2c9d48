/**
 * How the banner's two purposes are recorded in IAB TCF v2.2: the TCF
 * purposes each one grants in a TC string, and TCF's names for them. Plain
 * data, shared by the CMP (which encodes and decodes TC strings), the server
 * (whose banner names the TCF purposes in TCF mode) and the tests.
 *
 * The SDK reads analytics as purposes 1 and 8 and personalization as 1, 5
 * and 6 (sdk/src/consent-sources.ts); Measurement also records purpose 10,
 * because what is counted trains the shop's model (docs/PRIVACY.md).
 */

/** Rapport's purposes, as the banner offers them. */
export type Choice = { analytics: boolean; personalization: boolean };

/** The TCF purposes a granted Rapport purpose grants; refusing it grants none of them. */
export const TCF_PURPOSES: Readonly<Record<keyof Choice, readonly number[]>> = {
  analytics: [1, 8, 10],
  personalization: [1, 5, 6],
};

/** The TCF v2.2 purposes, by id, as the framework names them. */
export const TCF_PURPOSE_NAMES: Readonly<Record<number, string>> = {
  1: 'Store and/or access information on a device',
  2: 'Use limited data to select advertising',
  3: 'Create profiles for personalised advertising',
  4: 'Use profiles to select personalised advertising',
  5: 'Create profiles to personalise content',
  6: 'Use profiles to select personalised content',
  7: 'Measure advertising performance',
  8: 'Measure content performance',
  9: 'Understand audiences through statistics or combinations of data from different sources',
  10: 'Develop and improve services',
  11: 'Use limited data to select content',
};

/** The purposes a choice grants, in ascending order, each once. */
export function tcfPurposesOf(choice: Choice): number[] {
  const granted = (Object.keys(TCF_PURPOSES) as (keyof Choice)[]).filter((p) => choice[p]).flatMap((p) => TCF_PURPOSES[p]);
  return [...new Set(granted)].sort((a, b) => a - b);
}

/** The choice a set of granted TCF purposes records: a Rapport purpose counts as granted when all its TCF purposes are. */
export function choiceOf(granted: (purpose: number) => boolean): Choice {
  return { analytics: TCF_PURPOSES.analytics.every(granted), personalization: TCF_PURPOSES.personalization.every(granted) };
}
