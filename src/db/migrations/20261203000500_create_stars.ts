import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("stars", (t) => {
    t.string("star_id", 32).primary();
    t.string("flash_goods_id", 32).notNullable();
    t.string("star_source", 64).notNullable();
    t.string("star_target", 64).notNullable();
    t.string("star_head_img", 512).notNullable().defaultTo("");
    t.bigInteger("create_time").notNullable();
    // One light-up per (goods, source, target): a repeat finds the existing row.
    t.unique(["flash_goods_id", "star_source", "star_target"], { indexName: "stars_once_uq" });
    t.index(["flash_goods_id", "star_target", "create_time"], "stars_target_idx");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("stars");
}
