import { FlashAdminServiceService, type FlashAdminServiceServer } from "../../gen/flashsale/admin/v1/flash_admin_service";
import { toGoodsDetailMessage, toPeriodMessage } from "../goods/goods-messages";
import type { makeGoodsAdmin } from "../goods/manage-goods";
import { toCustomerMessage } from "../member/member-grpc";
import type { makeUpsertCustomer } from "../member/upsert-customer";
import { type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";

/** Operations' service: adapters over the goods and member use cases. */
export function adminServiceBinding(
  goodsAdmin: ReturnType<typeof makeGoodsAdmin>,
  upsertCustomer: ReturnType<typeof makeUpsertCustomer>,
  logger: Logger,
): ServiceBinding {
  const implementation: FlashAdminServiceServer = {
    createPeriod: unary(logger, "CreatePeriod", async (req) => ({ period: toPeriodMessage(await goodsAdmin.createPeriod(req)) })),
    createFlashGoods: unary(logger, "CreateFlashGoods", async (req) => ({
      goods: toGoodsDetailMessage(await goodsAdmin.createFlashGoods(req)),
    })),
    upsertCustomer: unary(logger, "UpsertCustomer", async (req) => ({ customer: toCustomerMessage(await upsertCustomer(req)) })),
  };
  return { definition: FlashAdminServiceService, implementation };
}
