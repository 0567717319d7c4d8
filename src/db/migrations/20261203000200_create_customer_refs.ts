import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("customer_refs", (t) => {
    t.increments("id");
    t.string("customer_id", 64).notNullable().index();
    t.string("come_from", 64).notNullable();
    t.string("relate_from", 32).notNullable();
    t.string("ref_id", 128).notNullable();
    t.string("ref_id2", 128).notNullable().defaultTo("");
    // One channel id belongs to one member.
    t.unique(["come_from", "relate_from", "ref_id"], { indexName: "customer_refs_channel_uq" });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("customer_refs");
}
