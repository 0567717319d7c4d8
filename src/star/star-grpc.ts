import { FlashStarServiceService, type FlashStarServiceServer } from "../../gen/flashsale/star/v1/flash_star_service";
import type { Star as StarMessage } from "../../gen/flashsale/star/v1/star";
import { type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";
import type { Star } from "./star";
import type { makeStarUseCases } from "./star-use-cases";

const toStarMessage = (s: Star): StarMessage => ({
  id: s.starId,
  flashGoodsId: s.flashGoodsId,
  starSource: s.starSource,
  starTarget: s.starTarget,
  createTime: s.createTime,
  starHeadImg: s.starHeadImg,
});

export function starServiceBinding(useCases: ReturnType<typeof makeStarUseCases>, logger: Logger): ServiceBinding {
  const implementation: FlashStarServiceServer = {
    queryStar: unary(logger, "QueryStar", async (req) => {
      const page = await useCases.queryStar(req);
      return { stars: page.stars.map(toStarMessage), total: page.total };
    }),
    addStar: unary(logger, "AddStar", async (req) => ({ star: toStarMessage(await useCases.addStar(req)) })),
  };
  return { definition: FlashStarServiceService, implementation };
}
