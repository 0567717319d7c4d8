import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("periods", (t) => {
    t.string("period_id", 32).primary();
    t.string("title", 64).notNullable();
    t.bigInteger("start_time").notNullable().index();
    t.bigInteger("end_time").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("periods");
}
