import type { Knex } from "knex";
import type { FlashGoods, GoodsRepository, Period } from "./goods";

interface PeriodRow {
  period_id: string;
  title: string;
  start_time: number | string;
  end_time: number | string;
}

interface GoodsRow {
  flash_goods_id: string;
  period_id: string;
  goods_code: string;
  name: string;
  image: string;
  description: string;
  images: string;
  original_price: number;
  flash_price: number;
  total_stock: number;
  sold_stock: number;
  limit_per_customer: number;
  stars_required: number;
  created_at: number | string;
}

const toPeriod = (row: PeriodRow): Period => ({
  periodId: row.period_id,
  title: row.title,
  startTime: Number(row.start_time),
  endTime: Number(row.end_time),
});

const toGoods = (row: GoodsRow): FlashGoods => ({
  flashGoodsId: row.flash_goods_id,
  periodId: row.period_id,
  goodsCode: row.goods_code,
  name: row.name,
  image: row.image,
  description: row.description,
  images: JSON.parse(row.images) as string[],
  originalPrice: row.original_price,
  flashPrice: row.flash_price,
  totalStock: row.total_stock,
  soldStock: row.sold_stock,
  limitPerCustomer: row.limit_per_customer,
  starsRequired: row.stars_required,
  createdAt: Number(row.created_at),
});

const goodsColumns = [
  "g.flash_goods_id", "g.period_id", "g.goods_code", "g.name", "g.image", "g.description", "g.images",
  "g.original_price", "g.flash_price", "g.total_stock", "g.sold_stock", "g.limit_per_customer",
  "g.stars_required", "g.created_at",
];

export function createGoodsRepository({ knex }: { knex: Knex }): GoodsRepository {
  return {
    async insertPeriod(period) {
      await knex("periods").insert({
        period_id: period.periodId,
        title: period.title,
        start_time: period.startTime,
        end_time: period.endTime,
      });
    },

    async findPeriod(periodId) {
      const row = await knex<PeriodRow>("periods").where({ period_id: periodId }).first();
      return row ? toPeriod(row) : undefined;
    },

    async listPeriodsStarting(from, to) {
      const rows = await knex<PeriodRow>("periods")
        .where("start_time", ">=", from)
        .andWhere("start_time", "<", to)
        .orderBy([{ column: "start_time" }, { column: "period_id" }]);
      return rows.map(toPeriod);
    },

    async insertGoods(goods) {
      await knex("flash_goods").insert({
        flash_goods_id: goods.flashGoodsId,
        period_id: goods.periodId,
        goods_code: goods.goodsCode,
        name: goods.name,
        image: goods.image,
        description: goods.description,
        images: JSON.stringify(goods.images),
        original_price: goods.originalPrice,
        flash_price: goods.flashPrice,
        total_stock: goods.totalStock,
        sold_stock: goods.soldStock,
        limit_per_customer: goods.limitPerCustomer,
        stars_required: goods.starsRequired,
        created_at: goods.createdAt,
      });
    },

    async findGoods(flashGoodsId) {
      const row = await knex("flash_goods as g")
        .join("periods as p", "p.period_id", "g.period_id")
        .where("g.flash_goods_id", flashGoodsId)
        .first([...goodsColumns, "p.title", "p.start_time", "p.end_time"]);
      if (!row) return undefined;
      return { goods: toGoods(row), period: toPeriod(row) };
    },

    async listGoodsByPeriod(periodId, offset, limit) {
      const [rows, [{ total }]] = await Promise.all([
        knex("flash_goods as g")
          .where("g.period_id", periodId)
          .orderBy([{ column: "g.created_at" }, { column: "g.flash_goods_id" }])
          .offset(offset)
          .limit(limit)
          .select(goodsColumns),
        knex("flash_goods").where({ period_id: periodId }).count({ total: "*" }),
      ]);
      return { goods: rows.map(toGoods), total: Number(total) };
    },

    async listGoodsOnSaleOrUpcoming(now) {
      const rows = await knex("flash_goods as g")
        .join("periods as p", "p.period_id", "g.period_id")
        .where("p.end_time", ">", now)
        .select(goodsColumns);
      return rows.map(toGoods);
    },
  };
}
