import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("customers", (t) => {
    t.string("customer_id", 64).primary();
    t.string("name", 64).notNullable().defaultTo("");
    t.string("card_code", 64).notNullable().defaultTo("");
    t.string("mobile", 32).notNullable().defaultTo("");
    t.bigInteger("birthday").notNullable().defaultTo(0);
    t.string("sex", 4).notNullable().defaultTo("");
    t.string("status", 3).notNullable().defaultTo("EFC");
    t.bigInteger("updated_at").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("customers");
}
