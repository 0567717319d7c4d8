import type { Knex } from "knex";
import * as createCustomers from "./migrations/20261203000100_create_customers";
import * as createCustomerRefs from "./migrations/20261203000200_create_customer_refs";
import * as createPeriods from "./migrations/20261203000300_create_periods";
import * as createFlashGoods from "./migrations/20261203000400_create_flash_goods";
import * as createStars from "./migrations/20261203000500_create_stars";
import * as createOrders from "./migrations/20261203000600_create_orders";
import * as coverMemberRead from "./migrations/20261204000100_cover_member_read";

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * The migrations in order. Listed here (not read from a folder) so they load
 * the same under tsx, a bundler or compiled output. One change per file; a
 * shipped file is never edited — add a new one.
 */
const migrations: Record<string, Migration> = {
  "20261203000100_create_customers": createCustomers,
  "20261203000200_create_customer_refs": createCustomerRefs,
  "20261203000300_create_periods": createPeriods,
  "20261203000400_create_flash_goods": createFlashGoods,
  "20261203000500_create_stars": createStars,
  "20261203000600_create_orders": createOrders,
  "20261204000100_cover_member_read": coverMemberRead,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

/**
 * Brings the schema up to date. Safe to run twice and from several instances
 * at once: knex's lock table lets one instance migrate; the others wait and retry.
 */
export async function migrateToLatest(knex: Knex): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await knex.migrate.latest({ migrationSource: source });
      return;
    } catch (err) {
      const locked = err instanceof Error && /already locked/i.test(err.message);
      if (!locked || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
