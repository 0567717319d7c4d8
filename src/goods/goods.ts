import { AppError } from "../platform/errors";

export interface Period {
  periodId: string;
  title: string;
  startTime: number;
  endTime: number;
}

export type PeriodStatus = "UPCOMING" | "ONGOING" | "ENDED";
export type SaleStatus = "UPCOMING" | "ON_SALE" | "SOLD_OUT" | "ENDED";

export const periodStatusNames: Record<PeriodStatus, string> = {
  UPCOMING: "即将开始",
  ONGOING: "抢购中",
  ENDED: "已结束",
};

export interface FlashGoods {
  flashGoodsId: string;
  periodId: string;
  goodsCode: string;
  name: string;
  image: string;
  description: string;
  images: string[];
  originalPrice: number;
  flashPrice: number;
  totalStock: number;
  /** Units held by live (unpaid or paid) orders. */
  soldStock: number;
  limitPerCustomer: number;
  starsRequired: number;
  createdAt: number;
}

/** Ongoing from startTime (inclusive) to endTime (exclusive). */
export function periodStatus(period: Period, now: number): PeriodStatus {
  if (now < period.startTime) return "UPCOMING";
  if (now < period.endTime) return "ONGOING";
  return "ENDED";
}

export function remainingStock(goods: FlashGoods): number {
  return Math.max(0, goods.totalStock - goods.soldStock);
}

export function saleStatus(goods: FlashGoods, period: Period, now: number): SaleStatus {
  const status = periodStatus(period, now);
  if (status === "UPCOMING") return "UPCOMING";
  if (status === "ENDED") return "ENDED";
  return remainingStock(goods) > 0 ? "ON_SALE" : "SOLD_OUT";
}

/** Throws SALE_NOT_STARTED / SALE_ENDED unless the period is ongoing. */
export function assertSaleOngoing(period: Period, now: number): void {
  const status = periodStatus(period, now);
  if (status === "UPCOMING") throw new AppError("SALE_NOT_STARTED", "抢购尚未开始 (the sale has not started)");
  if (status === "ENDED") throw saleEnded();
}

export function saleEnded(): AppError {
  return new AppError("SALE_ENDED", "抢购已结束 (the sale has ended)");
}

export function periodNotFound(): AppError {
  return new AppError("PERIOD_NOT_FOUND", "抢购活动段不存在 (period not found)");
}

export interface GoodsWithPeriod {
  goods: FlashGoods;
  period: Period;
}

export interface GoodsRepository {
  insertPeriod(period: Period): Promise<void>;
  findPeriod(periodId: string): Promise<Period | undefined>;
  listPeriodsStarting(from: number, to: number): Promise<Period[]>;
  insertGoods(goods: FlashGoods): Promise<void>;
  findGoods(flashGoodsId: string): Promise<GoodsWithPeriod | undefined>;
  listGoodsByPeriod(periodId: string, offset: number, limit: number): Promise<{ goods: FlashGoods[]; total: number }>;
  /** Goods whose period has not ended at `now`: what the stock gate must know. */
  listGoodsOnSaleOrUpcoming(now: number): Promise<FlashGoods[]>;
}

export async function requireGoods(repo: GoodsRepository, flashGoodsId: string): Promise<GoodsWithPeriod> {
  const found = await repo.findGoods(flashGoodsId);
  if (!found) throw new AppError("GOODS_NOT_FOUND", "抢购商品不存在 (goods not found)");
  return found;
}
