import { periodStatus, requireGoods, saleEnded, type GoodsRepository } from "../goods/goods";
import { assertCustomerCanAct, requireCustomer, type CustomerRepository } from "../member/customer";
import { AppError } from "../platform/errors";
import { newId } from "../platform/ids";
import { optionalText, requireId, requirePage } from "../platform/validate";
import type { Star, StarRepository } from "./star";

interface Deps {
  stars: StarRepository;
  goods: GoodsRepository;
  customers: CustomerRepository;
  clock?: () => number;
}

export function makeStarUseCases({ stars, goods, customers, clock = Date.now }: Deps) {
  return {
    /** A member's light-ups for one goods, newest first. */
    async queryStar(input: { flashGoodsId: string; customerCode: string; pageNo: number; pageSize: number }) {
      const flashGoodsId = requireId("flashGoodsId", input.flashGoodsId);
      const customerCode = requireId("customerCode", input.customerCode);
      const page = requirePage(input.pageNo, input.pageSize);
      return stars.listForTarget(flashGoodsId, customerCode, page.offset, page.pageSize);
    },

    /** starSource lights up flashGoodsId for starTarget, once. */
    async addStar(input: { flashGoodsId: string; starSource: string; starTarget: string; starHeadImg: string }): Promise<Star> {
      const flashGoodsId = requireId("flashGoodsId", input.flashGoodsId);
      const starSource = requireId("starSource", input.starSource);
      const starTarget = requireId("starTarget", input.starTarget);
      const starHeadImg = optionalText("starHeadImg", input.starHeadImg.trim(), 512);
      if (starSource === starTarget) {
        throw new AppError("SELF_STAR_NOT_ALLOWED", "不能为自己点亮 (a member cannot light up itself)");
      }
      const now = clock();
      const { period } = await requireGoods(goods, flashGoodsId);
      if (periodStatus(period, now) === "ENDED") throw saleEnded();
      const [source] = await Promise.all([requireCustomer(customers, starSource), requireCustomer(customers, starTarget)]);
      assertCustomerCanAct(source);
      return stars.insertOnce({ starId: newId(now), flashGoodsId, starSource, starTarget, starHeadImg, createTime: now });
    },
  };
}
