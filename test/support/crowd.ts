import { decodeGrpcError, type Clients } from "./grpc-clients";

export interface Attempt {
  customerCode: string;
  flashGoodsId: string;
  requestId: string;
  quantity?: number;
}

export interface AttemptResult {
  attempt: Attempt;
  orderId?: string;
  quantity?: number;
  code?: number;
  reason?: string;
}

/** Sends attempts at a fixed concurrency, round-robin over the given clients (instances). */
export async function runCrowd(clients: Clients[], attempts: Attempt[], concurrency: number, onResult?: (r: AttemptResult) => void): Promise<AttemptResult[]> {
  const results: AttemptResult[] = new Array(attempts.length);
  let next = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= attempts.length) return;
      const attempt = attempts[i];
      const client = clients[i % clients.length];
      let result: AttemptResult;
      try {
        const { order } = await client.order.createOrder(
          { customerCode: attempt.customerCode, flashGoodsId: attempt.flashGoodsId, requestId: attempt.requestId, quantity: attempt.quantity },
          undefined,
          { deadline: Date.now() + 20_000 },
        );
        result = { attempt, orderId: order!.orderId, quantity: order!.quantity };
      } catch (err) {
        const e = decodeGrpcError(err);
        result = { attempt, code: e.code, reason: e.reason };
      }
      results[i] = result;
      onResult?.(result);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** attempts from `members` at random, each a fresh requestId. */
export function randomAttempts(flashGoodsId: string, members: string[], count: number, quantity = () => 1, tag = "a"): Attempt[] {
  return Array.from({ length: count }, (_, i) => ({
    customerCode: members[Math.floor(Math.random() * members.length)],
    flashGoodsId,
    requestId: `${tag}-${i}`,
    quantity: quantity(),
  }));
}
