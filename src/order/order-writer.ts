import { isDeadlock, isUniqueViolation } from "../platform/db";
import type { CommitOutcome, OrderDraft, OrderRepository } from "./order";

export interface OrderWriterOptions {
  /** Most drafts per transaction. */
  maxBatch: number;
  /** Longest a draft waits for company before its batch is committed. */
  maxWaitMs: number;
  /** Batches committing at once (they touch different goods or queue on one row lock). */
  maxInFlight: number;
  /** Told of every committed batch: its size and how long its transaction took. */
  onBatch?: (size: number, seconds: number) => void;
}

interface Waiting {
  draft: OrderDraft;
  /** The caller's deadline (epoch ms): a draft still queued after it is dropped, not committed. */
  deadline: number | undefined;
  resolve(outcome: CommitOutcome): void;
  reject(err: unknown): void;
}

export interface OrderWriter {
  /**
   * Resolves only after the draft's batch has committed (or was decided
   * against). A draft whose caller's deadline passes while it waits for its
   * batch is dropped (DEADLINE_PASSED): nobody would hear of the order.
   */
  submit(draft: OrderDraft, deadline?: number): Promise<CommitOutcome>;
  /** Commits everything queued and waits for it: for shutdown. */
  drain(): Promise<void>;
  stats(): { batches: number; orders: number; maxBatch: number };
}

/**
 * Group commit: winners of the gate are queued and committed many to a
 * transaction, so the database does one guarded update per goods and one
 * multi-row insert per batch instead of one transaction per order. While
 * batches are in flight new drafts accumulate, so batches grow with load and
 * stay small (low latency) when it is quiet.
 */
export function createOrderWriter(repo: OrderRepository, options: OrderWriterOptions): OrderWriter {
  let queue: Waiting[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const idle: (() => void)[] = [];
  const counters = { batches: 0, orders: 0, maxBatch: 0 };

  function schedule() {
    if (queue.length === 0 || inFlight >= options.maxInFlight) return;
    if (queue.length >= options.maxBatch || options.maxWaitMs === 0) {
      flush();
    } else if (!timer) {
      timer = setTimeout(flush, options.maxWaitMs);
    }
  }

  function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    dropLate();
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      const batch = queue.splice(0, options.maxBatch);
      inFlight++;
      void commit(batch).finally(() => {
        inFlight--;
        // Wait (up to maxWaitMs) for company rather than start at once with
        // the few that queued meanwhile: the callers this batch just answered
        // are about to send the next wave, and it should ride one transaction.
        if (queue.length > 0) schedule();
        else if (inFlight === 0) for (const done of idle.splice(0)) done();
      });
    }
    // Everything queued may have been dropped as late: drain() must still end.
    if (queue.length === 0 && inFlight === 0) for (const done of idle.splice(0)) done();
  }

  /** Drafts whose callers' deadlines passed while they queued: answered, not written. */
  function dropLate() {
    const now = Date.now();
    if (!queue.some((w) => w.deadline !== undefined && w.deadline <= now)) return;
    queue = queue.filter((w) => {
      const late = w.deadline !== undefined && w.deadline <= now;
      if (late) w.resolve({ kind: "DEADLINE_PASSED" });
      return !late;
    });
  }

  async function commit(batch: Waiting[], retried = false) {
    try {
      const started = performance.now();
      const outcomes = await repo.commitBatch(batch.map((w) => w.draft));
      options.onBatch?.(batch.length, (performance.now() - started) / 1000);
      counters.batches++;
      counters.orders += batch.length;
      counters.maxBatch = Math.max(counters.maxBatch, batch.length);
      batch.forEach((w, i) => w.resolve(outcomes[i]));
    } catch (err) {
      // A duplicate key (the same request raced in from another instance) or a
      // deadlock fails the whole batch: commit its drafts one by one (a retry
      // finds the other instance's order), so only the culprit can fail.
      // Anything else fails just this batch.
      if (!retried && (isUniqueViolation(err) || isRetryable(err))) {
        for (const w of batch) await commit([w], true);
        return;
      }
      if (batch.length === 1 && isUniqueViolation(err)) {
        // Alone and still a duplicate: the request already has its order
        // (maybe on another goods, which the batch's read does not cover).
        const order = await repo.findByRequest(batch[0].draft.customerCode, batch[0].draft.requestId).catch(() => undefined);
        if (order) return batch[0].resolve({ kind: "EXISTING", order });
      }
      for (const w of batch) w.reject(err);
    }
  }

  return {
    submit(draft, deadline) {
      return new Promise<CommitOutcome>((resolve, reject) => {
        queue.push({ draft, deadline, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        flush();
      });
    },
    stats: () => ({ ...counters }),
  };
}

/** A batch that lost a lock race, not one that is wrong: worth retrying draft by draft. */
function isRetryable(err: unknown): boolean {
  return isDeadlock(err) || (err as { code?: unknown } | null)?.code === "ER_LOCK_WAIT_TIMEOUT";
}
