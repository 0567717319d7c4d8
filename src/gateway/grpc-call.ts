import type { ServerResponse } from "node:http";
import type { Client, Metadata, ServiceError } from "@grpc/grpc-js";

/** Envoy's default route timeout: a call still running after it is answered 504. */
const UPSTREAM_TIMEOUT_MS = 15_000;

export type CallOutcome = { reply: Buffer; error?: undefined } | { error: ServiceError };

const asIs = (bytes: Buffer): Buffer => bytes;

/**
 * One unary call carrying already-encoded bytes both ways. A client that
 * disconnects cancels the call, as Envoy resets the upstream stream.
 */
export function callUnary(
  client: Client,
  grpcPath: string,
  request: Uint8Array,
  metadata: Metadata,
  res: ServerResponse,
): Promise<CallOutcome> {
  return new Promise((resolve) => {
    const call = client.makeUnaryRequest(
      grpcPath,
      asIs,
      asIs,
      Buffer.from(request.buffer, request.byteOffset, request.byteLength),
      metadata,
      { deadline: Date.now() + UPSTREAM_TIMEOUT_MS },
      (error, reply) => {
        res.off("close", cancel);
        resolve(error ? { error } : { reply: reply ?? Buffer.alloc(0) });
      },
    );
    const cancel = () => call.cancel();
    res.once("close", cancel);
  });
}
