import { assertSaleOngoing, type FlashGoods, periodStatus } from "../goods/goods";
import { rateLimited } from "../access/rate-limiter";
import type { GoodsCatalog } from "../goods/goods-catalog";
import { customerNotFound, customerStatusError } from "../member/customer";
import { AppError } from "../platform/errors";
import { newId } from "../platform/ids";
import { requireId, requireIntegerInRange } from "../platform/validate";
import type { GateSync } from "../stock/gate-sync";
import type { Reservation, StockGate } from "../stock/stock-gate";
import { type Order, type OrderDraft, type OrderRepository, type RejectReason, requestKey } from "./order";
import type { OrderWriter } from "./order-writer";

export interface CreateOrderInput {
  customerCode: string;
  flashGoodsId: string;
  /** Absent = 1. */
  quantity?: number;
  requestId: string;
}

type ValidInput = Required<Omit<CreateOrderInput, "quantity">> & { quantity: number };

interface Deps {
  catalog: GoodsCatalog;
  orders: OrderRepository;
  gate: StockGate;
  gateSync: GateSync;
  writer: OrderWriter;
  payWindowMs: number;
  clock?: () => number;
  /** How long a duplicate request waits for the first one's order to appear (another instance may be committing it). */
  duplicateWaitMs?: number;
}

const int32Max = 2_147_483_647;

/**
 * CreateOrder, as a story: validate → the goods' fixed facts (cached) → the
 * sale is on → the gate reserves units (or turns the attempt away: sold out,
 * over the limit, or a repeat of a request) → the group-commit writer decides
 * in the database (member active, light-ups, limit, stock, request id) and
 * commits → only then OK.
 * Any failure after the reservation gives the units back to the gate.
 */
export function makeCreateOrder(deps: Deps) {
  const { catalog, orders, gate, gateSync, writer, payWindowMs, clock = Date.now, duplicateWaitMs = 3000 } = deps;
  /** Requests being processed in this process: repeats join them instead of racing. */
  const inFlight = new Map<string, Promise<Order>>();

  /** deadline: the caller's, epoch ms; work it could no longer hear about is not done. */
  async function createOrder(raw: CreateOrderInput, deadline?: number): Promise<Order> {
    const input = validate(raw);
    const { goods, period } = await catalog.get(input.flashGoodsId);
    const now = clock();
    try {
      assertSaleOngoing(period, now);
    } catch (err) {
      // After the sale, a retry of an order placed during it still gets its
      // order. (Before the sale no order can exist: no database read then.)
      const existing = periodStatus(period, now) === "ENDED" ? await orders.findByRequest(input.customerCode, input.requestId) : undefined;
      if (existing) return sameRequest(existing, input);
      throw err;
    }
    if (input.quantity * goods.flashPrice > int32Max) throw new AppError("INVALID_ARGUMENT", "quantity is too large", "quantity");

    const reservation: Reservation = input;
    let verdict = await gate.reserve(reservation);
    if (verdict === "NOT_LOADED") {
      await gateSync.loadGoods(goods.flashGoodsId);
      verdict = await gate.reserve(reservation);
    }
    switch (verdict) {
      case "RESERVED":
        break;
      case "DUPLICATE":
        return awaitFirst(input);
      case "SOLD_OUT":
      case "LIMIT_EXCEEDED":
        throw rejection(verdict, goods);
      case "RATE_LIMITED":
        throw rateLimited();
      default:
        throw new AppError("SERVICE_UNAVAILABLE", "stock is not ready, retry shortly");
    }

    const key = requestKey(input.customerCode, input.requestId);
    const order = commitReserved(input, goods, period.periodId, reservation, now, deadline);
    inFlight.set(key, order);
    try {
      return await order;
    } finally {
      inFlight.delete(key);
    }
  }

  async function commitReserved(input: ValidInput, goods: FlashGoods, periodId: string, reservation: Reservation, now: number, deadline?: number): Promise<Order> {
    let outcome;
    try {
      outcome = await writer.submit(draftOf(input, goods, periodId, now), deadline);
    } catch (err) {
      await gate.release(reservation, true).catch(() => undefined);
      throw err;
    }
    switch (outcome.kind) {
      case "DEADLINE_PASSED":
        await gate.release(reservation, true).catch(() => undefined);
        throw new AppError("SERVICE_UNAVAILABLE", "服务繁忙，请重试 (the call's deadline passed before its order could be written; retry)");
      case "CREATED":
        // Not awaited: the order is committed, the caller need not wait for the
        // gate's bookkeeping (a missed confirm is dropped by reconciliation).
        void gate.confirm(reservation).catch(() => undefined);
        return outcome.order;
      case "EXISTING":
        // The gate did not know this request (e.g. rebuilt after a flush): the
        // database did. Give back this attempt's units; the request keeps its order.
        await gate.release(reservation, false).catch(() => undefined);
        return sameRequest(outcome.order, input);
      case "REJECTED":
        await gate.release(reservation, true).catch(() => undefined);
        throw rejection(outcome.reason, goods);
    }
  }

  function draftOf(input: ValidInput, goods: FlashGoods, periodId: string, now: number): OrderDraft {
    return {
      orderId: newId(now),
      customerCode: input.customerCode,
      requestId: input.requestId,
      flashGoodsId: goods.flashGoodsId,
      periodId,
      quantity: input.quantity,
      unitPrice: goods.flashPrice,
      totalAmount: goods.flashPrice * input.quantity,
      status: "PENDING_PAYMENT",
      createTime: now,
      payDeadline: now + payWindowMs,
      payTime: 0,
      paymentNo: "",
      limitPerCustomer: goods.limitPerCustomer,
      starsRequired: goods.starsRequired,
    };
  }

  /** A repeat of a request the gate has seen: answer with the first one's order. */
  async function awaitFirst(input: ValidInput): Promise<Order> {
    const deadline = clock() + duplicateWaitMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      const local = inFlight.get(requestKey(input.customerCode, input.requestId));
      if (local) return sameRequest(await local, input);
      const existing = await orders.findByRequest(input.customerCode, input.requestId);
      if (existing) return sameRequest(existing, input);
      if (clock() >= deadline) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    // The first attempt is neither committed nor in this process, and its
    // reservation has not been released yet (another instance is slow, or died
    // and reconciliation has not run): ask the caller to retry.
    throw new AppError("SERVICE_UNAVAILABLE", "this request is still being processed; retry shortly");
  }

  return createOrder;
}

/** The database's verdict as the contract's error. */
function rejection(reason: RejectReason, goods: FlashGoods): AppError {
  switch (reason) {
    case "SOLD_OUT":
      return new AppError("SOLD_OUT", "已抢光 (sold out)");
    case "LIMIT_EXCEEDED":
      return new AppError("LIMIT_EXCEEDED", "超过每人限购数量 (over the per-member limit)");
    case "STARS_REQUIRED":
      return new AppError("STARS_REQUIRED", `需要 ${goods.starsRequired} 位好友点亮 (${goods.starsRequired} light-ups needed)`);
    case "CUSTOMER_NOT_FOUND":
      return customerNotFound();
    case "CUSTOMER_FROZEN":
    case "CUSTOMER_CANCELLED":
      return customerStatusError(reason);
  }
}

function validate(raw: CreateOrderInput): ValidInput {
  return {
    customerCode: requireId("customerCode", raw.customerCode),
    flashGoodsId: requireId("flashGoodsId", raw.flashGoodsId),
    quantity: raw.quantity === undefined ? 1 : requireIntegerInRange("quantity", raw.quantity, 1, 10_000),
    requestId: requireId("requestId", raw.requestId),
  };
}

/** Same request id: the same order, unless the payload differs. */
function sameRequest(order: Order, input: ValidInput): Order {
  if (order.flashGoodsId !== input.flashGoodsId || order.quantity !== input.quantity) {
    throw new AppError("REQUEST_ID_CONFLICT", "requestId 已用于另一个订单 (requestId was used for another order)");
  }
  return order;
}
