/**
 * The join between one catalog version and one model version: which catalog
 * item each model id is, and back. Built once per (catalog, model) pair and
 * cached with them, so a decision turns model answers into catalog items by
 * array lookup, never through the shop's string ids.
 */
import type { Catalog } from '../catalog/catalog';
import type { LoadedModel } from '../model/recommend';

/** Both directions of the join; -1 where the other side does not hold the item. */
export interface IdJoin {
  /** Catalog index of each model id. */
  indexOfModelId: Int32Array;
  /** Model id of each catalog index. */
  modelIdOfIndex: Int32Array;
}

const joins = new WeakMap<Catalog, WeakMap<LoadedModel, IdJoin>>();

/** The join of `catalog` and `model`, built on first use of the pair. */
export function idJoin(catalog: Catalog, model: LoadedModel): IdJoin {
  let byModel = joins.get(catalog);
  if (!byModel) joins.set(catalog, (byModel = new WeakMap()));
  let join = byModel.get(model);
  if (!join) {
    const indexOfModelId = new Int32Array(model.artifact.index.numItems).fill(-1);
    const modelIdOfIndex = new Int32Array(catalog.items.length).fill(-1);
    catalog.items.forEach((item, index) => {
      const id = model.idOf(item.id);
      if (id === undefined) return;
      modelIdOfIndex[index] = id;
      indexOfModelId[id] = index;
    });
    join = { indexOfModelId, modelIdOfIndex };
    byModel.set(model, join);
  }
  return join;
}

/** The catalog index of a model id, or undefined when the catalog does not hold it. */
export function catalogIndex(join: IdJoin, modelId: number): number | undefined {
  const index = join.indexOfModelId[modelId] ?? -1;
  return index < 0 ? undefined : index;
}
