import type { ServerResponse } from "node:http";
import type { ErrorReply } from "./status-json";

/** Writes one JSON answer, unless the client is already gone. */
export function sendJson(res: ServerResponse, httpStatus: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(httpStatus, { "content-type": "application/json" });
  res.end(body);
}

/**
 * Answers a failure. After a 413 the rest of the oversized body is never
 * read, so the connection closes instead of being reused.
 */
export function sendError(res: ServerResponse, reply: ErrorReply): void {
  if (reply.httpStatus === 413) res.shouldKeepAlive = false;
  sendJson(res, reply.httpStatus, reply.body);
}
