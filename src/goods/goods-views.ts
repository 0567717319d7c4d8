import { type FlashGoods, type Period, type PeriodStatus, type SaleStatus, periodStatus, periodStatusNames, remainingStock, saleStatus } from "./goods";

/** What the read use cases return: the stored data plus what the clock and the stock say now. */
export interface PeriodView extends Period {
  status: PeriodStatus;
  statusName: string;
}

export interface GoodsView extends FlashGoods {
  remainingStock: number;
  saleStatus: SaleStatus;
}

export interface GoodsDetailView extends GoodsView {
  period: PeriodView;
}

export function viewPeriod(period: Period, now: number): PeriodView {
  const status = periodStatus(period, now);
  return { ...period, status, statusName: periodStatusNames[status] };
}

export function viewGoods(goods: FlashGoods, period: Period, now: number): GoodsView {
  return { ...goods, remainingStock: remainingStock(goods), saleStatus: saleStatus(goods, period, now) };
}

export function viewGoodsDetail(goods: FlashGoods, period: Period, now: number): GoodsDetailView {
  return { ...viewGoods(goods, period, now), period: viewPeriod(period, now) };
}
