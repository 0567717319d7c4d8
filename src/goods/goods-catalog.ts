import { type GoodsRepository, type GoodsWithPeriod, requireGoods } from "./goods";

/**
 * The order path's view of a goods' fixed facts (period, price, limit, stars,
 * total): read from the database once and kept for ttlMs, so an attempt on a
 * hot goods costs no database read. Live stock is never taken from here.
 */
export function createGoodsCatalog({ goods, ttlMs = 5000, clock = Date.now }: { goods: GoodsRepository; ttlMs?: number; clock?: () => number }) {
  const cache = new Map<string, { at: number; value: Promise<GoodsWithPeriod> }>();
  return {
    get(flashGoodsId: string): Promise<GoodsWithPeriod> {
      const now = clock();
      const hit = cache.get(flashGoodsId);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = requireGoods(goods, flashGoodsId);
      cache.set(flashGoodsId, { at: now, value });
      // Failures (unknown goods, database down) are not remembered.
      value.catch(() => cache.delete(flashGoodsId));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return value;
    },
  };
}

export type GoodsCatalog = ReturnType<typeof createGoodsCatalog>;
