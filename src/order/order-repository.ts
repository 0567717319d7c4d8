import type { Knex } from "knex";
import { customerRefusal } from "../member/customer";
import { affected, type Database, inTransaction } from "../platform/db";
import { type CommitOutcome, type Order, type OrderDraft, type OrderRepository, type OrderStatus, liveStatuses, requestKey } from "./order";

interface OrderRow {
  order_id: string;
  customer_code: string;
  request_id: string;
  flash_goods_id: string;
  period_id: string;
  quantity: number;
  unit_price: number;
  total_amount: number;
  status: string;
  create_time: number | string;
  pay_deadline: number | string;
  pay_time: number | string;
  payment_no: string;
}

const toOrder = (row: OrderRow): Order => ({
  orderId: row.order_id,
  customerCode: row.customer_code,
  requestId: row.request_id,
  flashGoodsId: row.flash_goods_id,
  periodId: row.period_id,
  quantity: row.quantity,
  unitPrice: row.unit_price,
  totalAmount: row.total_amount,
  status: row.status as OrderStatus,
  createTime: Number(row.create_time),
  payDeadline: Number(row.pay_deadline),
  payTime: Number(row.pay_time),
  paymentNo: row.payment_no,
});

const toRow = (o: Order): OrderRow => ({
  order_id: o.orderId,
  customer_code: o.customerCode,
  request_id: o.requestId,
  flash_goods_id: o.flashGoodsId,
  period_id: o.periodId,
  quantity: o.quantity,
  unit_price: o.unitPrice,
  total_amount: o.totalAmount,
  status: o.status,
  create_time: o.createTime,
  pay_deadline: o.payDeadline,
  pay_time: o.payTime,
  payment_no: o.paymentNo,
});

const insertChunk = 500;

export function createOrderRepository(db: Database): OrderRepository {
  const { knex } = db;
  /** Returns units to sale; the guard keeps sold_stock from going below zero. */
  const giveBack = (trx: Knex, flashGoodsId: string, quantity: number) =>
    trx("flash_goods")
      .where("flash_goods_id", flashGoodsId)
      .andWhere("sold_stock", ">=", quantity)
      .decrement("sold_stock", quantity);

  /** Light-ups per member for one goods, when the goods needs any. */
  async function starCounts(trx: Knex.Transaction, flashGoodsId: string, drafts: OrderDraft[]): Promise<Map<string, number>> {
    if (!drafts.some((d) => d.starsRequired > 0)) return new Map();
    const rows: { star_target: string; n: unknown }[] = await trx("stars")
      .where("flash_goods_id", flashGoodsId)
      .whereIn("star_target", [...new Set(drafts.map((d) => d.customerCode))])
      .groupBy("star_target")
      .select("star_target", trx.raw("count(*) as n"));
    return new Map(rows.map((r) => [r.star_target, Number(r.n)]));
  }

  async function decideGoods(
    trx: Knex.Transaction,
    flashGoodsId: string,
    drafts: OrderDraft[],
    outcomes: Map<OrderDraft, CommitOutcome>,
  ) {
    const wanted = drafts.reduce((sum, d) => sum + d.quantity, 0);
    // Fast path: the gate admitted no more than is left, so one guarded update
    // takes the whole group's units (and the row lock that serialises every
    // writer of this goods until we commit).
    const tookAll =
      affected(
        await trx("flash_goods")
          .where("flash_goods_id", flashGoodsId)
          .andWhereRaw("sold_stock + ? <= total_stock", [wanted])
          .increment("sold_stock", wanted),
      ) === 1;
    let left = Infinity;
    if (!tookAll) {
      // Not enough for everyone: lock the row without changing it, then hand
      // out what is left draft by draft below.
      await trx("flash_goods").where("flash_goods_id", flashGoodsId).increment("sold_stock", 0);
      const row = await trx("flash_goods").where("flash_goods_id", flashGoodsId).first("sold_stock", "total_stock");
      left = row ? row.total_stock - row.sold_stock : 0;
    }

    // One read, under the goods row lock (so no other writer of this goods can
    // change it before we commit): each member's status with their orders of
    // this goods, which give both the requests already ordered and the units
    // held. A request reused on another goods is caught by the unique key.
    const members = [...new Set(drafts.map((d) => d.customerCode))];
    const [rows, stars] = await Promise.all([
      trx("customers as c")
        .leftJoin("orders as o", (join) => join.on("o.customer_code", "c.customer_id").andOnVal("o.flash_goods_id", flashGoodsId))
        .whereIn("c.customer_id", members)
        .select("c.customer_id as member", "c.status as member_status", "o.*"),
      starCounts(trx, flashGoodsId, drafts),
    ]);
    const statuses = new Map<string, string>();
    const existing = new Map<string, Order>();
    const held = new Map<string, number>();
    for (const r of rows as (OrderRow & { member: string; member_status: string })[]) {
      statuses.set(r.member, r.member_status);
      if (!r.order_id) continue;
      existing.set(requestKey(r.customer_code, r.request_id), toOrder(r));
      if (liveStatuses.includes(r.status as OrderStatus)) held.set(r.customer_code, (held.get(r.customer_code) ?? 0) + r.quantity);
    }
    let granted = 0;
    for (const draft of drafts) {
      const found = existing.get(requestKey(draft.customerCode, draft.requestId));
      if (found) {
        outcomes.set(draft, { kind: "EXISTING", order: found });
        continue;
      }
      // The member rule, applied to the status read in this transaction.
      const refusal = customerRefusal(statuses.get(draft.customerCode));
      if (refusal) {
        outcomes.set(draft, { kind: "REJECTED", reason: refusal });
        continue;
      }
      if ((stars.get(draft.customerCode) ?? 0) < draft.starsRequired) {
        outcomes.set(draft, { kind: "REJECTED", reason: "STARS_REQUIRED" });
        continue;
      }
      const mine = held.get(draft.customerCode) ?? 0;
      if (mine + draft.quantity > draft.limitPerCustomer) {
        outcomes.set(draft, { kind: "REJECTED", reason: "LIMIT_EXCEEDED" });
        continue;
      }
      if (draft.quantity > left - granted) {
        outcomes.set(draft, { kind: "REJECTED", reason: "SOLD_OUT" });
        continue;
      }
      held.set(draft.customerCode, mine + draft.quantity);
      const order = stripDraft(draft);
      existing.set(requestKey(draft.customerCode, draft.requestId), order);
      granted += draft.quantity;
      outcomes.set(draft, { kind: "CREATED", order });
    }

    if (tookAll && granted < wanted) {
      await giveBack(trx, flashGoodsId, wanted - granted);
    } else if (!tookAll && granted > 0) {
      // Still guarded: we hold the lock, so this cannot fail unless the rows lie.
      const ok = affected(
        await trx("flash_goods")
          .where("flash_goods_id", flashGoodsId)
          .andWhereRaw("sold_stock + ? <= total_stock", [granted])
          .increment("sold_stock", granted),
      );
      if (ok !== 1) throw new Error(`stock guard refused ${granted} units of ${flashGoodsId} under lock`);
    }
  }

  return {
    async commitBatch(drafts) {
      const outcomes = new Map<OrderDraft, CommitOutcome>();
      const byGoods = new Map<string, OrderDraft[]>();
      for (const d of drafts) {
        const group = byGoods.get(d.flashGoodsId);
        if (group) group.push(d);
        else byGoods.set(d.flashGoodsId, [d]);
      }
      // MySQL sessions run at READ COMMITTED (platform/db.ts): every read in
      // decideGoods runs after the goods row is locked and must see what the
      // previous lock holder committed. The writer retries a failed batch.
      await knex.transaction(async (trx) => {
        // Goods rows are always locked in id order so two batches cannot deadlock.
        for (const flashGoodsId of [...byGoods.keys()].sort()) {
          await decideGoods(trx, flashGoodsId, byGoods.get(flashGoodsId)!, outcomes);
        }
        const rows = drafts.filter((d) => outcomes.get(d)?.kind === "CREATED").map(toRow);
        for (let i = 0; i < rows.length; i += insertChunk) {
          await trx("orders").insert(rows.slice(i, i + insertChunk));
        }
      });
      return drafts.map((d) => outcomes.get(d)!);
    },

    async findByRequest(customerCode, requestId) {
      const row = await knex<OrderRow>("orders").where({ customer_code: customerCode, request_id: requestId }).first();
      return row ? toOrder(row) : undefined;
    },

    async findById(orderId) {
      const row = await knex<OrderRow>("orders").where({ order_id: orderId }).first();
      return row ? toOrder(row) : undefined;
    },

    async listByCustomer(customerCode, offset, limit) {
      const [rows, [{ total }]] = await Promise.all([
        knex<OrderRow>("orders")
          .where({ customer_code: customerCode })
          .orderBy([{ column: "create_time", order: "desc" }, { column: "order_id", order: "desc" }])
          .offset(offset)
          .limit(limit),
        knex("orders").where({ customer_code: customerCode }).count({ total: "*" }),
      ]);
      return { orders: rows.map(toOrder), total: Number(total) };
    },

    async cancel(orderId, customerCode) {
      return inTransaction(db, async (trx) => {
        const row = await trx<OrderRow>("orders").where({ order_id: orderId }).first("flash_goods_id", "quantity");
        if (!row) return false;
        // The status guard decides cancel-vs-pay-vs-expiry: only one of them
        // moves the order out of PENDING_PAYMENT.
        const moved = affected(
          await trx("orders")
            .where({ order_id: orderId, customer_code: customerCode, status: "PENDING_PAYMENT" })
            .update({ status: "CANCELLED" }),
        );
        if (moved !== 1) return false;
        await giveBack(trx, row.flash_goods_id, row.quantity);
        return true;
      });
    },

    async pay(orderId, paymentNo, now) {
      // Paying is allowed only while pending and before the deadline, even if
      // the expiry job has not run yet: a late payment never takes stock back.
      const moved = await knex("orders")
        .where({ order_id: orderId, status: "PENDING_PAYMENT" })
        .andWhere("pay_deadline", ">", now)
        .update({ status: "PAID", pay_time: now, payment_no: paymentNo });
      return affected(moved) === 1;
    },

    async expireDue(now, limit) {
      const due = await knex<OrderRow>("orders")
        .where({ status: "PENDING_PAYMENT" })
        .andWhere("pay_deadline", "<=", now)
        .orderBy("pay_deadline")
        .limit(limit);
      const expired: Order[] = [];
      for (const row of due) {
        // Safe on N instances: the status guard lets exactly one of them expire
        // the order and give its units back.
        const won = await inTransaction(db, async (trx) => {
          const moved = affected(
            await trx("orders").where({ order_id: row.order_id, status: "PENDING_PAYMENT" }).update({ status: "EXPIRED" }),
          );
          if (moved !== 1) return false;
          await giveBack(trx, row.flash_goods_id, row.quantity);
          return true;
        });
        if (won) expired.push({ ...toOrder(row), status: "EXPIRED" });
      }
      return expired;
    },

    async stockSnapshot(flashGoodsId) {
      const goods = await knex("flash_goods").where({ flash_goods_id: flashGoodsId }).first("total_stock", "sold_stock", "limit_per_customer");
      if (!goods) return undefined;
      const rows: { customer_code: string; request_id: string; quantity: number; status: string }[] = await knex("orders")
        .where({ flash_goods_id: flashGoodsId })
        .select("customer_code", "request_id", "quantity", "status");
      const perCustomer = new Map<string, number>();
      for (const r of rows) {
        if (liveStatuses.includes(r.status as OrderStatus)) perCustomer.set(r.customer_code, (perCustomer.get(r.customer_code) ?? 0) + r.quantity);
      }
      return {
        flashGoodsId,
        totalStock: goods.total_stock,
        limitPerCustomer: goods.limit_per_customer,
        soldStock: goods.sold_stock,
        perCustomer,
        requestKeys: rows.map((r) => requestKey(r.customer_code, r.request_id)),
      };
    },
  };
}

function stripDraft(draft: OrderDraft): Order {
  const { limitPerCustomer: _limit, starsRequired: _stars, ...order } = draft;
  return order;
}
