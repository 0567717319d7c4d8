import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("flash_goods", (t) => {
    t.string("flash_goods_id", 32).primary();
    t.string("period_id", 32).notNullable();
    t.string("goods_code", 64).notNullable();
    t.string("name", 128).notNullable();
    t.string("image", 512).notNullable().defaultTo("");
    t.text("description").notNullable();
    t.text("images").notNullable(); // JSON array of URLs
    t.integer("original_price").notNullable();
    t.integer("flash_price").notNullable();
    t.integer("total_stock").notNullable();
    // Units held by PENDING_PAYMENT and PAID orders; only ever changed by guarded
    // updates (sold_stock + n <= total_stock), which is what forbids overselling.
    t.integer("sold_stock").notNullable().defaultTo(0);
    t.integer("limit_per_customer").notNullable().defaultTo(1);
    t.integer("stars_required").notNullable().defaultTo(0);
    t.bigInteger("created_at").notNullable();
    t.index(["period_id", "created_at"], "flash_goods_period_idx");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("flash_goods");
}
