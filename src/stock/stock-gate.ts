/**
 * The stock gate turns most losing attempts away before they reach the
 * database. It only ever rejects early: the database's guarded updates decide
 * every order, so a gate that is wrong, empty or flushed can cost sales for a
 * moment (until it is rebuilt) but can never oversell.
 */

export interface GateGoods {
  flashGoodsId: string;
  totalStock: number;
  limitPerCustomer: number;
}

/** What the database says about one goods: the truth the gate is rebuilt from. */
export interface GateSnapshot extends GateGoods {
  soldStock: number;
  /** Units per member held by live orders. */
  perCustomer: Map<string, number>;
  /** "customerCode requestId" of every order of this goods (so retries find their order). */
  requestKeys: string[];
}

export type ReserveResult = "RESERVED" | "DUPLICATE" | "SOLD_OUT" | "LIMIT_EXCEEDED" | "RATE_LIMITED" | "NOT_LOADED";

/**
 * The per-member rate limit of attempts on one goods, checked in the same
 * atomic step as the reservation (so a bot costs the crowd path nothing more
 * than its own attempt). ratePerSecond 0 = off.
 */
export interface AttemptRate {
  ratePerSecond: number;
  burst: number;
}

export interface Reservation {
  flashGoodsId: string;
  customerCode: string;
  requestId: string;
  quantity: number;
}

/** How the gate (and the snapshot it is rebuilt from) names one request of one member. */
export const requestKey = (customerCode: string, requestId: string) => `${customerCode} ${requestId}`;

export interface GateView {
  total: number;
  taken: number;
  inFlight: number;
  stranded: number;
}

export interface StockGate {
  /** Atomically: member within its attempt rate, requestId not seen, member under its limit, units left → reserve them. */
  reserve(reservation: Reservation): Promise<ReserveResult>;
  /** The reservation became a committed order: it is no longer in flight. */
  confirm(reservation: Reservation): Promise<void>;
  /**
   * An order committed without a reservation (CreateOrder skipped the gate
   * while units were plentiful, see plentiful-gate.ts): count its units and
   * its request, once per request key however often it is told. Answers the
   * units left afterwards, or undefined when the gate does not know the goods
   * (its next load reads the order from the database).
   */
  record(order: Reservation): Promise<number | undefined>;
  /**
   * Give units back: a reservation that did not become an order (forgetRequest
   * = true, so a retry of the request may try again), or a cancelled or expired
   * order (forgetRequest = false: the request keeps its order).
   */
  release(reservation: Reservation, forgetRequest: boolean): Promise<void>;
  /**
   * Replace what the gate knows of a goods with the database's view, keeping
   * reservations still in flight; reservations in flight longer than
   * staleAfterMs are stranded (their caller died) and are dropped.
   */
  load(snapshot: GateSnapshot, staleAfterMs: number): Promise<void>;
  /**
   * What the gate holds for a goods: units taken (sold or reserved), units of
   * reservations in flight, and how many reservations are stranded (older than
   * staleAfterMs); undefined when the gate does not know the goods.
   */
  inspect(flashGoodsId: string, staleAfterMs: number): Promise<GateView | undefined>;
  close(): Promise<void>;
}
