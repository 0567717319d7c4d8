import { type Database, inTransaction, isUniqueViolation } from "../platform/db";
import { invalidArgument } from "../platform/errors";
import type { Customer, CustomerRef, CustomerRepository, CustomerStatus } from "./customer";

interface CustomerRow {
  customer_id: string;
  name: string;
  card_code: string;
  mobile: string;
  birthday: number | string;
  sex: string;
  status: string;
}

const toCustomer = (row: CustomerRow): Customer => ({
  customerId: row.customer_id,
  name: row.name,
  cardCode: row.card_code,
  mobile: row.mobile,
  birthday: Number(row.birthday),
  sex: row.sex,
  status: row.status as CustomerStatus,
});

export function createCustomerRepository(db: Database): CustomerRepository {
  const { knex } = db;
  return {
    async findById(customerId) {
      const row = await knex<CustomerRow>("customers").where({ customer_id: customerId }).first();
      return row ? toCustomer(row) : undefined;
    },

    async findByRef(comeFrom, relateFrom, refId) {
      const row = await knex("customer_refs as r")
        .join("customers as c", "c.customer_id", "r.customer_id")
        .where({ "r.come_from": comeFrom, "r.relate_from": relateFrom, "r.ref_id": refId })
        .first("c.*", "r.ref_id2 as ref_ref_id2");
      if (!row) return undefined;
      return { customer: toCustomer(row), ref: { comeFrom, relateFrom, refId, refId2: row.ref_ref_id2 } };
    },

    async upsert(customer, refs) {
      const row = {
        customer_id: customer.customerId,
        name: customer.name,
        card_code: customer.cardCode,
        mobile: customer.mobile,
        birthday: customer.birthday,
        sex: customer.sex,
        status: customer.status,
        updated_at: Date.now(),
      };
      try {
        await inTransaction(db, async (trx) => {
          await trx("customers").insert(row).onConflict("customer_id").merge();
          await trx("customer_refs").where({ customer_id: customer.customerId }).del();
          if (refs.length > 0) {
            await trx("customer_refs").insert(
              refs.map((ref) => ({
                customer_id: customer.customerId,
                come_from: ref.comeFrom,
                relate_from: ref.relateFrom,
                ref_id: ref.refId,
                ref_id2: ref.refId2,
              })),
            );
          }
        });
      } catch (err) {
        // The channel unique key: one openid belongs to one member.
        if (isUniqueViolation(err)) throw invalidArgument("refs", "a reference is already bound to another member");
        throw err;
      }
    },
  };
}
