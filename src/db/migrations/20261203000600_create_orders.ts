import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("orders", (t) => {
    t.string("order_id", 32).primary();
    t.string("customer_code", 64).notNullable();
    t.string("request_id", 64).notNullable();
    t.string("flash_goods_id", 32).notNullable();
    t.string("period_id", 32).notNullable();
    t.integer("quantity").notNullable();
    t.integer("unit_price").notNullable();
    t.integer("total_amount").notNullable();
    t.string("status", 24).notNullable();
    t.bigInteger("create_time").notNullable();
    t.bigInteger("pay_deadline").notNullable();
    t.bigInteger("pay_time").notNullable().defaultTo(0);
    t.string("payment_no", 64).notNullable().defaultTo("");
    // Idempotency: one order per (member, requestId), across instances and restarts.
    t.unique(["customer_code", "request_id"], { indexName: "orders_request_uq" });
    t.index(["customer_code", "create_time"], "orders_customer_idx");
    // The per-member limit sums a member's live orders of one goods.
    t.index(["flash_goods_id", "customer_code"], "orders_goods_customer_idx");
    t.index(["status", "pay_deadline"], "orders_expiry_idx");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("orders");
}
