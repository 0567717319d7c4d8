import { randomBytes } from "node:crypto";

/**
 * A new id: 24 hex characters like the seed's member codes (ObjectId shape),
 * seconds since the epoch then 8 random bytes, so ids sort roughly by time
 * and never collide across instances in practice.
 */
export function newId(now = Date.now()): string {
  const seconds = Math.floor(now / 1000).toString(16).padStart(8, "0");
  return seconds + randomBytes(8).toString("hex");
}
