import type { IncomingMessage } from "node:http";
import { bodyTooLarge } from "./gateway-error";

/** The client went away before sending the whole body; nobody is left to answer. */
export class RequestAbortedError extends Error {
  constructor() {
    super("The client closed the request before sending its body.");
  }
}

/**
 * Reads the whole body, failing as soon as it passes `limitBytes` (a declared
 * Content-Length over the limit fails before reading anything), so a hostile
 * client cannot make the gateway buffer more than the limit.
 */
export function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (Number(req.headers["content-length"]) > limitBytes) {
    return Promise.reject(bodyTooLarge(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      chunks.length = 0;
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) settle(() => reject(bodyTooLarge(limitBytes)));
      else chunks.push(chunk);
    });
    req.on("end", () => settle(() => resolve(Buffer.concat(chunks, size))));
    req.on("error", () => settle(() => reject(new RequestAbortedError())));
    req.on("close", () => settle(() => reject(new RequestAbortedError())));
  });
}
