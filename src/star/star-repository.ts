import type { Knex } from "knex";
import { isUniqueViolation } from "../platform/db";
import type { Star, StarRepository } from "./star";

interface StarRow {
  star_id: string;
  flash_goods_id: string;
  star_source: string;
  star_target: string;
  star_head_img: string;
  create_time: number | string;
}

const toStar = (row: StarRow): Star => ({
  starId: row.star_id,
  flashGoodsId: row.flash_goods_id,
  starSource: row.star_source,
  starTarget: row.star_target,
  starHeadImg: row.star_head_img,
  createTime: Number(row.create_time),
});

export function createStarRepository({ knex }: { knex: Knex }): StarRepository {
  const findOne = (flashGoodsId: string, starSource: string, starTarget: string) =>
    knex<StarRow>("stars").where({ flash_goods_id: flashGoodsId, star_source: starSource, star_target: starTarget }).first();

  return {
    async listForTarget(flashGoodsId, starTarget, offset, limit) {
      const where = { flash_goods_id: flashGoodsId, star_target: starTarget };
      const [rows, [{ total }]] = await Promise.all([
        knex<StarRow>("stars")
          .where(where)
          .orderBy([{ column: "create_time", order: "desc" }, { column: "star_id", order: "desc" }])
          .offset(offset)
          .limit(limit),
        knex("stars").where(where).count({ total: "*" }),
      ]);
      return { stars: rows.map(toStar), total: Number(total) };
    },

    async insertOnce(star) {
      const existing = await findOne(star.flashGoodsId, star.starSource, star.starTarget);
      if (existing) return toStar(existing);
      try {
        await knex("stars").insert({
          star_id: star.starId,
          flash_goods_id: star.flashGoodsId,
          star_source: star.starSource,
          star_target: star.starTarget,
          star_head_img: star.starHeadImg,
          create_time: star.createTime,
        });
        return star;
      } catch (err) {
        // Two identical light-ups raced: the unique key let one in; return it.
        if (!isUniqueViolation(err)) throw err;
        const winner = await findOne(star.flashGoodsId, star.starSource, star.starTarget);
        if (!winner) throw err;
        return toStar(winner);
      }
    },
  };
}
