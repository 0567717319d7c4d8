import { invalidArgument } from "../platform/errors";
import { dayRange, isoDay } from "../platform/time";
import { createTtlCache } from "../platform/ttl-cache";
import { requireId, requirePage } from "../platform/validate";
import { type GoodsRepository, periodNotFound, requireGoods } from "./goods";
import { type GoodsDetailView, type GoodsView, type PeriodView, viewGoods, viewGoodsDetail, viewPeriod } from "./goods-views";

interface Deps {
  goods: GoodsRepository;
  saleTimeZone: string;
  /** How long a goods list or detail may be served from memory (remainingStock at most this stale). */
  readCacheMs: number;
  clock?: () => number;
}

/**
 * The read side of goods: periods of a day, goods of a period, one goods.
 * During a sale every member refreshes the same few pages: each answer is
 * kept for readCacheMs, so a crowd of readers costs one query per page per
 * interval instead of one per reader.
 */
export function makeGoodsQueries({ goods, saleTimeZone, readCacheMs, clock = Date.now }: Deps) {
  const pages = createTtlCache<{ goods: GoodsView[]; total: number }>(readCacheMs);
  const details = createTtlCache<GoodsDetailView>(readCacheMs);
  return {
    async queryPeriods(input: { date: string }): Promise<PeriodView[]> {
      const now = clock();
      const day = input.date.trim() || isoDay(now, saleTimeZone);
      const range = dayRange(day, saleTimeZone);
      if (!range) throw invalidArgument("date", "date must be a real day written YYYY-MM-DD");
      const periods = await goods.listPeriodsStarting(range.start, range.end);
      return periods.map((p) => viewPeriod(p, now));
    },

    async queryGoodsByPeriod(input: { periodId: string; pageNo: number; pageSize: number }): Promise<{ goods: GoodsView[]; total: number }> {
      const periodId = requireId("periodId", input.periodId);
      const page = requirePage(input.pageNo, input.pageSize);
      return pages(`${periodId} ${page.offset} ${page.pageSize}`, async () => {
        const period = await goods.findPeriod(periodId);
        if (!period) throw periodNotFound();
        const found = await goods.listGoodsByPeriod(periodId, page.offset, page.pageSize);
        const now = clock();
        return { goods: found.goods.map((g) => viewGoods(g, period, now)), total: found.total };
      });
    },

    async queryGoodsDetail(input: { flashGoodsId: string }): Promise<GoodsDetailView> {
      const flashGoodsId = requireId("flashGoodsId", input.flashGoodsId);
      return details(flashGoodsId, async () => {
        const found = await requireGoods(goods, flashGoodsId);
        return viewGoodsDetail(found.goods, found.period, clock());
      });
    },
  };
}
