import type { Knex } from "knex";
import { customerRefusal } from "../member/customer";
import { affected, type BatchTransaction, type Database, inBatchTransaction, inTransaction, type Statement } from "../platform/db";
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

const insertChunk = 500;

/** A member of the batch with one of their orders of the goods (request_id null when they have none). */
type MemberRow = { member: string; member_status: string; request_id: string | null; status: string; quantity: number };
/** What readGoods' statements return, in order: the locked row, the take-all update's count, members with their orders, light-ups (when read). */
type GoodsReadResults = [{ sold_stock: number; total_stock: number }[], number, MemberRow[], { star_target: string; n: unknown }[]?];
/** What one goods' drafts are decided on; `repeats` are the full orders of requests made before (rare: the gate turns repeats away first). */
type GoodsRead = { memberRows: MemberRow[]; starRows?: GoodsReadResults[3]; repeats: Map<string, Order> };

/**
 * A new order's columns. Every new order is unpaid: its status is written as
 * a constant and pay_time / payment_no take their column defaults (0, ''),
 * so a row binds 10 values instead of 13 (each bound value is escaped into
 * the SQL text by mysql2 and parsed back by MySQL).
 */
const newOrderColumns = "order_id, customer_code, request_id, flash_goods_id, period_id, quantity, unit_price, total_amount, create_time, pay_deadline, status";
const newOrderRow = "(?,?,?,?,?,?,?,?,?,?,'PENDING_PAYMENT')";

/** One multi-row insert of the batch's new orders. */
function insertOrders(orders: Order[]): Statement {
  const bindings: (string | number)[] = [];
  for (const o of orders) {
    if (o.status !== "PENDING_PAYMENT" || o.payTime !== 0 || o.paymentNo !== "") throw new Error(`order ${o.orderId} is not new: it cannot be inserted with the new-order defaults`);
    bindings.push(o.orderId, o.customerCode, o.requestId, o.flashGoodsId, o.periodId, o.quantity, o.unitPrice, o.totalAmount, o.createTime, o.payDeadline);
  }
  return { sql: `insert into orders (${newOrderColumns}) values ${new Array<string>(orders.length).fill(newOrderRow).join(", ")}`, bindings };
}

/** Takes units for sale if that many are left; 1 row touched = taken. */
const takeStock = (flashGoodsId: string, quantity: number): Statement => ({
  sql: "update flash_goods set sold_stock = sold_stock + ? where flash_goods_id = ? and sold_stock + ? <= total_stock",
  bindings: [quantity, flashGoodsId, quantity],
});

/** Returns units to sale; the guard keeps sold_stock from going below zero. */
const giveBack = (flashGoodsId: string, quantity: number): Statement => ({
  sql: "update flash_goods set sold_stock = sold_stock - ? where flash_goods_id = ? and sold_stock >= ?",
  bindings: [quantity, flashGoodsId, quantity],
});

const placeholders = (n: number) => new Array<string>(n).fill("?").join(",");

/**
 * Each member's status with their orders of this goods: the requests already
 * ordered and the units held (only the columns decided on: the full rows are
 * read for repeated requests alone, see repeatedOrders). Index-only on
 * orders_goods_customer_cover_idx, so it touches this goods' orders alone
 * (the batch test checks the plan). A request reused on another goods is
 * caught by the unique key.
 */
export const memberOrdersRead = (flashGoodsId: string, members: string[]): Statement => ({
  sql: `select c.customer_id as member, c.status as member_status, o.request_id, o.status, o.quantity from customers c left join orders o on o.customer_code = c.customer_id and o.flash_goods_id = ? where c.customer_id in (${placeholders(members.length)})`,
  bindings: [flashGoodsId, ...members],
});

export function createOrderRepository(db: Database): OrderRepository {
  const { knex } = db;
  // The row lock serialises every writer of this goods until we commit
  // (SQLite has one writer and no FOR UPDATE).
  const lockGoods = `select sold_stock, total_stock from flash_goods where flash_goods_id = ?${db.dialect === "mysql" ? " for update" : ""}`;

  /**
   * The statements that lock one goods' row and read what its drafts are
   * decided on; their results, in this order, are a GoodsRead.
   */
  function readGoods(flashGoodsId: string, drafts: OrderDraft[], wanted: number): Statement[] {
    const members = [...new Set(drafts.map((d) => d.customerCode))];
    return [
      { sql: lockGoods, bindings: [flashGoodsId] },
      // Fast path: the gate admitted no more than is left, so one guarded
      // update takes the whole group's units; what is not granted goes back.
      takeStock(flashGoodsId, wanted),
      memberOrdersRead(flashGoodsId, members),
      ...(drafts.some((d) => d.starsRequired > 0)
        ? [{ sql: `select star_target, count(*) as n from stars where flash_goods_id = ? and star_target in (${placeholders(members.length)}) group by star_target`, bindings: [flashGoodsId, ...members] }]
        : []),
    ];
  }

  /**
   * Decides each draft of one goods on what was read under its row lock, in
   * arrival order: the request's existing order, the member rule, light-ups,
   * the per-member limit, then the units left. Returns the units granted.
   */
  function decideGoods(drafts: OrderDraft[], { memberRows, starRows = [], repeats }: GoodsRead, left: number, outcomes: Map<OrderDraft, CommitOutcome>): number {
    const stars = new Map(starRows.map((r) => [r.star_target, Number(r.n)]));
    const statuses = new Map<string, string>();
    const existing = new Map(repeats);
    const held = new Map<string, number>();
    for (const r of memberRows) {
      statuses.set(r.member, r.member_status);
      if (r.request_id !== null && liveStatuses.includes(r.status as OrderStatus)) held.set(r.member, (held.get(r.member) ?? 0) + r.quantity);
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
    return granted;
  }

  /**
   * The full orders of the batch's requests that the member read found already
   * ordered, read under the same locks: one more round trip, only in a batch
   * that has such a repeat. (A request ordered on another goods of the batch is
   * found too; its caller then gets REQUEST_ID_CONFLICT, as from the unique key.)
   */
  async function repeatedOrders(tx: BatchTransaction, drafts: OrderDraft[], read: Map<string, GoodsReadResults>): Promise<Map<string, Order>> {
    // Member rows outnumber drafts: each row is first matched on its request id
    // alone (no key built), the rare hit then on member and request id.
    const askedIds = new Set(drafts.map((d) => d.requestId));
    const found = new Set<string>();
    for (const [, , memberRows] of read.values()) {
      for (const r of memberRows) if (r.request_id !== null && askedIds.has(r.request_id)) found.add(requestKey(r.member, r.request_id));
    }
    if (found.size === 0) return new Map();
    const repeated = drafts.filter((d) => found.has(requestKey(d.customerCode, d.requestId)));
    if (repeated.length === 0) return new Map();
    const [rows] = (await tx.send([
      {
        sql: `select * from orders where ${repeated.map(() => "(customer_code = ? and request_id = ?)").join(" or ")}`,
        bindings: repeated.flatMap((d) => [d.customerCode, d.requestId]),
      },
    ])) as [OrderRow[]];
    return new Map(rows.map((r) => [requestKey(r.customer_code, r.request_id), toOrder(r)]));
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
      // Goods rows are locked in id order so two batches cannot deadlock.
      const goodsIds = [...byGoods.keys()].sort();
      // Two round trips on MySQL (platform/db.ts): lock + read every goods of
      // the batch, decide here, then insert + adjust + COMMIT. Sessions run at
      // READ COMMITTED, so each read after a lock sees what the previous lock
      // holder committed. The writer retries a failed batch.
      await inBatchTransaction(db, async (tx) => {
        const wanted = new Map(goodsIds.map((id) => [id, byGoods.get(id)!.reduce((sum, d) => sum + d.quantity, 0)]));
        const reads = goodsIds.map((id) => readGoods(id, byGoods.get(id)!, wanted.get(id)!));
        const results = await tx.send(reads.flat());
        const read = new Map<string, GoodsReadResults>();
        let at = 0;
        for (const [i, flashGoodsId] of goodsIds.entries()) read.set(flashGoodsId, results.slice(at, (at += reads[i].length)) as GoodsReadResults);
        const repeats = await repeatedOrders(tx, drafts, read);
        const finish: Statement[] = [];
        for (const flashGoodsId of goodsIds) {
          const group = byGoods.get(flashGoodsId)!;
          const [locked, tookAll, memberRows, starRows] = read.get(flashGoodsId)!;
          const row = locked[0];
          if (!row) {
            // The goods is gone: nothing of it can be sold.
            for (const d of group) outcomes.set(d, { kind: "REJECTED", reason: "SOLD_OUT" });
            continue;
          }
          const granted = decideGoods(group, { memberRows, starRows, repeats }, tookAll === 1 ? Infinity : row.total_stock - row.sold_stock, outcomes);
          const unclaimed = wanted.get(flashGoodsId)! - granted;
          if (tookAll === 1) {
            if (unclaimed > 0) finish.push(giveBack(flashGoodsId, unclaimed));
          } else if (granted > 0) {
            // Not enough for everyone: the fast path took nothing, and we hand
            // out what was left under the lock. Checked before COMMIT: it
            // cannot fail unless the rows lie.
            const [ok] = await tx.send([takeStock(flashGoodsId, granted)]);
            if (ok !== 1) throw new Error(`stock guard refused ${granted} units of ${flashGoodsId} under lock`);
          }
        }
        const created: Order[] = [];
        for (const d of drafts) {
          const outcome = outcomes.get(d);
          if (outcome?.kind === "CREATED") created.push(outcome.order);
        }
        for (let i = 0; i < created.length; i += insertChunk) finish.push(insertOrders(created.slice(i, i + insertChunk)));
        await tx.send(finish, { commit: true });
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
        await run(trx, giveBack(row.flash_goods_id, row.quantity));
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
          await run(trx, giveBack(row.flash_goods_id, row.quantity));
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

/** A Statement inside a knex transaction. */
const run = (trx: Knex, s: Statement) => trx.raw(s.sql, s.bindings as Knex.RawBinding[]);

/** The order a draft becomes, field by field (a rest-spread copy costs several times more, once per order). */
function stripDraft(d: OrderDraft): Order {
  return {
    orderId: d.orderId,
    customerCode: d.customerCode,
    requestId: d.requestId,
    flashGoodsId: d.flashGoodsId,
    periodId: d.periodId,
    quantity: d.quantity,
    unitPrice: d.unitPrice,
    totalAmount: d.totalAmount,
    status: d.status,
    createTime: d.createTime,
    payDeadline: d.payDeadline,
    payTime: d.payTime,
    paymentNo: d.paymentNo,
  };
}
