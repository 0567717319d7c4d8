import { type FlashGoods, type FlashGoodsDetail, type Period, PeriodStatus, SaleStatus } from "../../gen/flashsale/goods/v1/goods";
import type { GoodsDetailView, GoodsView, PeriodView } from "./goods-views";

export const toPeriodMessage = (p: PeriodView): Period => ({
  id: p.periodId,
  title: p.title,
  startTime: p.startTime,
  endTime: p.endTime,
  status: PeriodStatus[`PERIOD_STATUS_${p.status}`],
  statusName: p.statusName,
});

export const toGoodsMessage = (g: GoodsView): FlashGoods => ({
  flashGoodsId: g.flashGoodsId,
  periodId: g.periodId,
  goodsCode: g.goodsCode,
  name: g.name,
  image: g.image,
  originalPrice: g.originalPrice,
  flashPrice: g.flashPrice,
  totalStock: g.totalStock,
  remainingStock: g.remainingStock,
  limitPerCustomer: g.limitPerCustomer,
  starsRequired: g.starsRequired,
  saleStatus: SaleStatus[`SALE_STATUS_${g.saleStatus}`],
});

export const toGoodsDetailMessage = (g: GoodsDetailView): FlashGoodsDetail => ({
  ...toGoodsMessage(g),
  description: g.description,
  images: g.images,
  period: toPeriodMessage(g.period),
});
