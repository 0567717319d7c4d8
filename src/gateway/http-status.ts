import { status } from "@grpc/grpc-js";

/**
 * HTTP status for each gRPC code, as Envoy's gRPC-JSON transcoder answers with
 * `convert_grpc_status: true` (Envoy's Grpc::Utility::grpcToHttpStatus).
 */
const HTTP_STATUS_BY_GRPC_CODE: ReadonlyMap<number, number> = new Map([
  [status.OK, 200],
  [status.CANCELLED, 499],
  [status.UNKNOWN, 500],
  [status.INVALID_ARGUMENT, 400],
  [status.DEADLINE_EXCEEDED, 504],
  [status.NOT_FOUND, 404],
  [status.ALREADY_EXISTS, 409],
  [status.PERMISSION_DENIED, 403],
  [status.RESOURCE_EXHAUSTED, 429],
  [status.FAILED_PRECONDITION, 400],
  [status.ABORTED, 409],
  [status.OUT_OF_RANGE, 400],
  [status.UNIMPLEMENTED, 501],
  [status.INTERNAL, 500],
  [status.UNAVAILABLE, 503],
  [status.DATA_LOSS, 500],
  [status.UNAUTHENTICATED, 401],
]);

/** Envoy answers a code it does not know with 500, like INTERNAL. */
export function httpStatusForGrpcCode(code: number): number {
  return HTTP_STATUS_BY_GRPC_CODE.get(code) ?? 500;
}
