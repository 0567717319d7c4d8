export type OrderStatus = "PENDING_PAYMENT" | "PAID" | "CANCELLED" | "EXPIRED";

export interface Order {
  orderId: string;
  customerCode: string;
  requestId: string;
  flashGoodsId: string;
  periodId: string;
  quantity: number;
  unitPrice: number;
  totalAmount: number;
  status: OrderStatus;
  createTime: number;
  payDeadline: number;
  payTime: number;
  paymentNo: string;
}

/** An order about to be committed, with the goods' rules the database must enforce. */
export interface OrderDraft extends Order {
  limitPerCustomer: number;
  starsRequired: number;
}

/** Why the database turned a draft away. */
export type RejectReason = "SOLD_OUT" | "LIMIT_EXCEEDED" | "CUSTOMER_NOT_FOUND" | "CUSTOMER_FROZEN" | "CUSTOMER_CANCELLED" | "STARS_REQUIRED";

export type CommitOutcome =
  | { kind: "CREATED"; order: Order }
  /** The (customerCode, requestId) already had an order: this is it (maybe for another payload). */
  | { kind: "EXISTING"; order: Order }
  | { kind: "REJECTED"; reason: RejectReason }
  /** Not written: the caller's deadline passed while the draft waited for its batch. */
  | { kind: "DEADLINE_PASSED" };

/** Units of one goods held by live orders, as the database knows it: what the gate is rebuilt from. */
export type StockSnapshot = GateSnapshot;

export interface OrderRepository {
  /**
   * Commits drafts in one transaction (group commit) and decides each one in
   * the database: the member is active and has its light-ups, guarded stock
   * update, per-member limit under the goods' row lock, (customerCode,
   * requestId) unique key. Outcomes are in draft order.
   */
  commitBatch(drafts: OrderDraft[]): Promise<CommitOutcome[]>;
  findByRequest(customerCode: string, requestId: string): Promise<Order | undefined>;
  findById(orderId: string): Promise<Order | undefined>;
  listByCustomer(customerCode: string, offset: number, limit: number): Promise<{ orders: Order[]; total: number }>;
  /** PENDING_PAYMENT → CANCELLED and its units back on sale, atomically; false if it was not pending. */
  cancel(orderId: string, customerCode: string): Promise<boolean>;
  /** PENDING_PAYMENT and not past its deadline → PAID; false otherwise. */
  pay(orderId: string, paymentNo: string, now: number): Promise<boolean>;
  /** Orders PENDING_PAYMENT past their deadline → EXPIRED with units back on sale; returns those this call expired. */
  expireDue(now: number, limit: number): Promise<Order[]>;
  /** What the stock gate is rebuilt from. */
  stockSnapshot(flashGoodsId: string): Promise<StockSnapshot | undefined>;
}

export const liveStatuses: OrderStatus[] = ["PENDING_PAYMENT", "PAID"];

export { requestKey } from "../stock/stock-gate";
import type { GateSnapshot } from "../stock/stock-gate";
