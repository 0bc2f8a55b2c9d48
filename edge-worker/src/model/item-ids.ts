/**
 * The integer item id rule: which shop item ids are the model's ids as they stand, and which need
 * the artifact's id table. One rule for the readers and the model.
 */

/**
 * When an item id is the model's id as it stands: canonical non-negative
 * integers (Diginetica's and the demo's ids). Any other id (a SKU) goes
 * through the id table the artifact carries.
 */
export function isIntegerItemId(text: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(text) && Number(text) < 2 ** 31;
}
