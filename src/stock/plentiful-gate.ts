import { createTokenBuckets } from "../access/rate-limiter";
import type { AttemptRate, Reservation, ReserveResult, StockGate } from "./stock-gate";

/**
 * The shared gate, skipped while a goods has units to spare.
 *
 * The gate exists to turn losers away before they reach the database. While
 * far more units are left than attempts can be in flight, there are no losers
 * for stock to turn away, and asking Redis costs every order a wait for a
 * round trip before it may join a batch, and Redis's CPU (12–13 µs per order
 * of bench:order-path's all-win with the gate asked, 6–7 with it skipped:
 * counting the order after its commit is one script per batch). So, while the
 * gate's last known units left, minus this process's skipped attempts not yet
 * counted there, stay above `margin` after the attempt, the attempt is let
 * through at once; the database decides it exactly as it decides every order
 * (member, limit, repeat of a request, stock: all in the batch transaction).
 * An order that committed this way is then counted in the gate (`record`, one
 * script per batch, idempotent per request) and the answer refreshes the units
 * left; when the margin would be crossed, or the last look is older than
 * `lookMs`, attempts go through the gate as before.
 *
 * What changes while units are plentiful, on purpose:
 * - the per-member attempt rate is counted in this process (same rate and
 *   burst), not across instances: N instances let a member through N times
 *   as often, and only while units are plentiful;
 * - a repeat of a request, or a member over the limit, is answered by the
 *   database instead of the gate (same answer, one row read more);
 * - the gate counts such an order after its commit, not before: it
 *   undercounts for that moment (the safe side: the database refuses what the
 *   gate lets through) and reconciliation looks twice before calling it drift.
 * Oversell stays impossible: that was never the gate's job.
 */
export interface PlentifulOptions {
  /** Units that must stay left after a skipped attempt (0 = never skip the gate). */
  margin: number;
  attemptRate: AttemptRate;
  /** The age after which the last look at a goods' units left no longer steers attempts. */
  lookMs?: number;
  /** Called for every attempt let through (a metric). */
  onSkip?: () => void;
  clock?: () => number;
}

interface Look {
  /** Units left in the gate at the last look (its total − taken). */
  left: number;
  at: number;
  /** Units of attempts let through since, not yet counted by the gate. */
  skipped: number;
  looking: boolean;
  /** This goods' attempt buckets per member while skipping (undefined: no rate limit). */
  attempts: ReturnType<typeof createTokenBuckets> | undefined;
}

// Settled answers, shared: an attempt let through is answered without a promise of its own.
const reserved = Promise.resolve<ReserveResult>("RESERVED");
const rateLimited = Promise.resolve<ReserveResult>("RATE_LIMITED");

export function skipGateWhilePlentiful(gate: StockGate, { margin, attemptRate, lookMs = 1000, onSkip, clock = Date.now }: PlentifulOptions): StockGate {
  if (margin <= 0) return gate;
  const looks = new Map<string, Look>();
  // The reservations let through; confirm and release find them by identity
  // (CreateOrder hands the same object to reserve, then confirm or release).
  const letThrough = new WeakSet<Reservation>();

  function lookAt(flashGoodsId: string, look: Look) {
    look.looking = true;
    gate
      .inspect(flashGoodsId, Number.MAX_SAFE_INTEGER)
      .then(
        (view) => view && seen(look, view.total - view.taken),
        () => undefined,
      )
      .finally(() => (look.looking = false));
  }

  function seen(look: Look, left: number) {
    look.left = left;
    look.at = clock();
  }

  function letIn(x: Reservation, look: Look): Promise<ReserveResult> {
    if (look.attempts && !look.attempts.take(x.customerCode)) return rateLimited;
    look.skipped += x.quantity;
    letThrough.add(x);
    onSkip?.();
    return reserved;
  }

  return {
    ...gate,

    reserve(x) {
      let look = looks.get(x.flashGoodsId);
      if (!look) {
        const attempts = attemptRate.ratePerSecond > 0 ? createTokenBuckets(attemptRate, clock) : undefined;
        looks.set(x.flashGoodsId, (look = { left: 0, at: -Infinity, skipped: 0, looking: false, attempts }));
      }
      if (clock() - look.at > lookMs) {
        if (!look.looking) lookAt(x.flashGoodsId, look);
        return gate.reserve(x);
      }
      if (look.left - look.skipped - x.quantity < margin) return gate.reserve(x);
      return letIn(x, look);
    },

    confirm(x) {
      if (!letThrough.delete(x)) return gate.confirm(x);
      const look = looks.get(x.flashGoodsId)!;
      return gate.record(x).then(
        (left) => {
          look.skipped -= x.quantity;
          if (left === undefined) look.at = -Infinity; // not loaded: back through the gate, which loads it
          else seen(look, left);
        },
        (err: unknown) => {
          look.skipped -= x.quantity;
          look.at = -Infinity; // Redis in trouble: let the gate answer, as it does without this
          throw err;
        },
      );
    },

    async release(x, forgetRequest) {
      if (!letThrough.delete(x)) return gate.release(x, forgetRequest);
      looks.get(x.flashGoodsId)!.skipped -= x.quantity; // nothing was taken in the gate
    },
  };
}
