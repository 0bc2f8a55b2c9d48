/**
 * The join between one catalog version and one model version: which catalog
 * item (core index) each model id is. Filled lazily, one model id at a time
 * as decisions meet it (the model names the shop id, the core finds it by
 * binary search), and cached with the pair: no pass over the catalog's items
 * (1 M of them would cost a fresh isolate ~100 ms), and after the first
 * meeting a model answer becomes a catalog item by one array lookup.
 */
import type { CatalogCore } from '../catalog/core';
import type { LoadedModel } from '../model/recommend';

/** Not looked up yet; -1 is "the catalog does not hold it". */
const UNKNOWN = -2;

const joins = new WeakMap<CatalogCore, WeakMap<LoadedModel, Int32Array>>();

/** The catalog index of each model id met so far for `core` and `model`. */
function joinOf(core: CatalogCore, model: LoadedModel): Int32Array {
  let byModel = joins.get(core);
  if (!byModel) joins.set(core, (byModel = new WeakMap()));
  let join = byModel.get(model);
  if (!join) byModel.set(model, (join = new Int32Array(model.artifact.index.numItems).fill(UNKNOWN)));
  return join;
}

/**
 * The catalog index of a model id, or undefined when the catalog does not hold it.
 * @example catalogIndex(core, model, 42) // 1017, the core index of model.itemIdOf(42)
 */
export function catalogIndex(core: CatalogCore, model: LoadedModel, modelId: number): number | undefined {
  const join = joinOf(core, model);
  let index = join[modelId];
  if (index === undefined) return undefined;
  if (index === UNKNOWN) join[modelId] = index = core.indexOf(model.itemIdOf(modelId));
  return index < 0 ? undefined : index;
}
