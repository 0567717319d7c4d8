import { randomBytes } from "node:crypto";

// Random per process, so two instances never produce the same sequence.
const processTag = randomBytes(5).toString("hex");
let counter = randomBytes(3).readUIntBE(0, 3);

/**
 * A new id: 24 hex characters like the seed's member codes (ObjectId shape):
 * seconds since the epoch, a random per-process tag, and a counter. Ids sort
 * roughly by time and never collide across instances in practice; no random
 * bytes are drawn per id (ids are made on the order path).
 */
export function newId(now = Date.now()): string {
  counter = (counter + 1) % 0x1000000;
  return Math.floor(now / 1000).toString(16).padStart(8, "0") + processTag + counter.toString(16).padStart(6, "0");
}
