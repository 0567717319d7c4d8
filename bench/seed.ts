import type { Knex } from "knex";
import { newId } from "../src/platform/ids";

/** Rows the benches write straight into the database, without RPC: members, and goods on sale. */

/** Active members with these codes, 1,000 rows to an insert. */
export async function insertMembers(knex: Knex, codes: string[]): Promise<void> {
  for (let i = 0; i < codes.length; i += 1000) {
    await knex("customers").insert(codes.slice(i, i + 1000).map((customer_id) => ({ customer_id, status: "EFC", updated_at: Date.now() })));
  }
}

/** A period on sale from an hour ago to an hour from now; returns its id. */
export async function insertOngoingPeriod(knex: Knex, title: string): Promise<string> {
  const periodId = newId();
  await knex("periods").insert({ period_id: periodId, title, start_time: Date.now() - 3_600_000, end_time: Date.now() + 3_600_000 });
  return periodId;
}

/** A goods of `periodId` with `totalStock` units and a limit no bench reaches; returns its id. */
export async function insertGoods(knex: Knex, periodId: string, totalStock: number): Promise<string> {
  const id = newId();
  await knex("flash_goods").insert({
    flash_goods_id: id, period_id: periodId, goods_code: "bench", name: "bench", description: "", images: "[]", original_price: 2,
    flash_price: 1, total_stock: totalStock, sold_stock: 0, limit_per_customer: 10_000, stars_required: 0, created_at: Date.now(),
  });
  return id;
}
