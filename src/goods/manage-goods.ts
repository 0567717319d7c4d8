import { invalidArgument } from "../platform/errors";
import { newId } from "../platform/ids";
import { optionalText, requireEpochMs, requireId, requireIntegerInRange, requireText } from "../platform/validate";
import { type FlashGoods, type GoodsRepository, type Period, periodNotFound } from "./goods";
import { type GoodsDetailView, type PeriodView, viewGoodsDetail, viewPeriod } from "./goods-views";

export interface CreatePeriodInput {
  title: string;
  startTime: number;
  endTime: number;
}

/** A goods as operations describe it: everything but what the service assigns. */
export type CreateFlashGoodsInput = Omit<FlashGoods, "flashGoodsId" | "soldStock" | "createdAt">;

interface Deps {
  goods: GoodsRepository;
  /** Told of every new goods so the stock gate can open it before the sale. */
  onGoodsCreated: (goods: FlashGoods) => Promise<void>;
  clock?: () => number;
}

const maxPrice = 100_000_000; // 1,000,000 yuan in fen; int32-safe
const maxStock = 10_000_000;

/** Operations: set up periods and goods before a sale. */
export function makeGoodsAdmin({ goods, onGoodsCreated, clock = Date.now }: Deps) {
  return {
    async createPeriod(input: CreatePeriodInput): Promise<PeriodView> {
      const period: Period = {
        periodId: newId(),
        title: requireText("title", input.title, 64),
        startTime: requireEpochMs("startTime", input.startTime),
        endTime: requireEpochMs("endTime", input.endTime),
      };
      if (period.endTime <= period.startTime) throw invalidArgument("endTime", "endTime must be after startTime");
      await goods.insertPeriod(period);
      return viewPeriod(period, clock());
    },

    async createFlashGoods(input: CreateFlashGoodsInput): Promise<GoodsDetailView> {
      const periodId = requireId("periodId", input.periodId);
      if (input.images.length > 20) throw invalidArgument("images", "at most 20 images");
      const now = clock();
      const created: FlashGoods = {
        flashGoodsId: newId(now),
        periodId,
        goodsCode: requireText("goodsCode", input.goodsCode, 64),
        name: requireText("name", input.name, 128),
        image: optionalText("image", input.image.trim(), 512),
        description: optionalText("description", input.description, 4000, true),
        images: input.images.map((url) => optionalText("images", url.trim(), 512)),
        originalPrice: requireIntegerInRange("originalPrice", input.originalPrice, 0, maxPrice),
        flashPrice: requireIntegerInRange("flashPrice", input.flashPrice, 0, maxPrice),
        totalStock: requireIntegerInRange("totalStock", input.totalStock, 1, maxStock),
        soldStock: 0,
        limitPerCustomer: requireIntegerInRange("limitPerCustomer", input.limitPerCustomer || 1, 1, 10_000),
        starsRequired: requireIntegerInRange("starsRequired", input.starsRequired, 0, 10_000),
        createdAt: now,
      };
      const period = await goods.findPeriod(periodId);
      if (!period) throw periodNotFound();
      await goods.insertGoods(created);
      await onGoodsCreated(created);
      return viewGoodsDetail(created, period, now);
    },
  };
}
