import {
  FlashGoodsServiceService,
  type FlashGoodsServiceServer,
  QueryGoodsByPeriodResponse,
  QueryGoodsDetailResponse,
} from "../../gen/flashsale/goods/v1/flash_goods_service";
import { encodedOnce, type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";
import { toGoodsDetailMessage, toGoodsMessage, toPeriodMessage } from "./goods-messages";
import type { makeGoodsQueries } from "./query-goods";

export function goodsServiceBinding(queries: ReturnType<typeof makeGoodsQueries>, logger: Logger): ServiceBinding {
  const implementation: FlashGoodsServiceServer = {
    queryPeriods: unary(logger, "QueryPeriods", async (req) => ({
      periods: (await queries.queryPeriods(req)).map(toPeriodMessage),
    })),
    // The two reads a crowd refreshes: their views come from the read cache,
    // so each is encoded once per cache interval.
    queryGoodsByPeriod: unary(logger, "QueryGoodsByPeriod", async (req) => {
      const page = await queries.queryGoodsByPeriod(req);
      return encodedOnce<QueryGoodsByPeriodResponse>(page, () =>
        QueryGoodsByPeriodResponse.encode({ goods: page.goods.map(toGoodsMessage), total: page.total }).finish(),
      );
    }),
    queryGoodsDetail: unary(logger, "QueryGoodsDetail", async (req) => {
      const detail = await queries.queryGoodsDetail(req);
      return encodedOnce<QueryGoodsDetailResponse>(detail, () => QueryGoodsDetailResponse.encode({ goods: toGoodsDetailMessage(detail) }).finish());
    }),
  };
  return { definition: FlashGoodsServiceService, implementation };
}
