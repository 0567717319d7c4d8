import { FlashGoodsServiceService, type FlashGoodsServiceServer } from "../../gen/flashsale/goods/v1/flash_goods_service";
import { type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";
import { toGoodsDetailMessage, toGoodsMessage, toPeriodMessage } from "./goods-messages";
import type { makeGoodsQueries } from "./query-goods";

export function goodsServiceBinding(queries: ReturnType<typeof makeGoodsQueries>, logger: Logger): ServiceBinding {
  const implementation: FlashGoodsServiceServer = {
    queryPeriods: unary(logger, "QueryPeriods", async (req) => ({
      periods: (await queries.queryPeriods(req)).map(toPeriodMessage),
    })),
    queryGoodsByPeriod: unary(logger, "QueryGoodsByPeriod", async (req) => {
      const page = await queries.queryGoodsByPeriod(req);
      return { goods: page.goods.map(toGoodsMessage), total: page.total };
    }),
    queryGoodsDetail: unary(logger, "QueryGoodsDetail", async (req) => ({
      goods: toGoodsDetailMessage(await queries.queryGoodsDetail(req)),
    })),
  };
  return { definition: FlashGoodsServiceService, implementation };
}
