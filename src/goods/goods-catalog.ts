import { createTtlCache } from "../platform/ttl-cache";
import { type GoodsRepository, type GoodsWithPeriod, requireGoods } from "./goods";

/**
 * The order path's view of a goods' fixed facts (period, price, limit, stars,
 * total): read from the database once and kept for ttlMs, so an attempt on a
 * hot goods costs no database read. Live stock is never taken from here.
 */
export function createGoodsCatalog({ goods, ttlMs = 5000 }: { goods: GoodsRepository; ttlMs?: number }) {
  const cached = createTtlCache<GoodsWithPeriod>(ttlMs);
  return {
    get: (flashGoodsId: string) => cached(flashGoodsId, () => requireGoods(goods, flashGoodsId)),
  };
}

export type GoodsCatalog = ReturnType<typeof createGoodsCatalog>;
