import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { ErrorReason } from "../../gen/flashsale/error/v1/error_reason";
import { ErrorInfo } from "../../gen/google/rpc/error_details";
import { Status } from "../../gen/google/rpc/status";
import { AppError, type Reason } from "./errors";
import { describeError, type Logger } from "./logger";

/** The gRPC code of each reason: the one table of the error policy (SPEC.md "Errors"). */
const grpcCodes: Record<Reason, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
  REQUEST_ID_CONFLICT: status.ALREADY_EXISTS,
  GOODS_NOT_FOUND: status.NOT_FOUND,
  PERIOD_NOT_FOUND: status.NOT_FOUND,
  CUSTOMER_NOT_FOUND: status.NOT_FOUND,
  ORDER_NOT_FOUND: status.NOT_FOUND,
  CUSTOMER_FROZEN: status.FAILED_PRECONDITION,
  CUSTOMER_CANCELLED: status.FAILED_PRECONDITION,
  SALE_NOT_STARTED: status.FAILED_PRECONDITION,
  SALE_ENDED: status.FAILED_PRECONDITION,
  STARS_REQUIRED: status.FAILED_PRECONDITION,
  LIMIT_EXCEEDED: status.FAILED_PRECONDITION,
  SOLD_OUT: status.FAILED_PRECONDITION,
  SELF_STAR_NOT_ALLOWED: status.FAILED_PRECONDITION,
  ORDER_STATE_CONFLICT: status.FAILED_PRECONDITION,
  INTERNAL: status.INTERNAL,
  SERVICE_UNAVAILABLE: status.UNAVAILABLE,
};

/** The 8-digit business code: 11000000 + the ErrorReason number in the contract. */
export function businessCode(reason: Reason): string {
  const value = ErrorReason[`ERROR_REASON_${reason}` as keyof typeof ErrorReason] as number;
  return String(11_000_000 + value);
}

const unavailableCodes = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND",
  "PROTOCOL_CONNECTION_LOST", "ER_CON_COUNT_ERROR", "ER_SERVER_SHUTDOWN", "ER_LOCK_WAIT_TIMEOUT",
  "SQLITE_BUSY",
]);

/** Database or Redis out of reach (or overloaded): the caller may retry. */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; fatal?: boolean } | null;
  if (!e) return false;
  return unavailableCodes.has(e.code ?? "") || e.name === "KnexTimeoutError" || e.fatal === true;
}

/** Any thrown value → AppError; what is not an AppError is logged with its stack here and only here. */
export function toAppError(err: unknown, logger: Logger, method: string, requestId?: string): AppError {
  if (err instanceof AppError) return err;
  if (isUnavailable(err)) {
    logger.warn("dependency unavailable", { method, requestId, ...describeError(err) });
    return new AppError("SERVICE_UNAVAILABLE", "服务暂不可用，请稍后重试 (service unavailable, retry shortly)");
  }
  logger.error("internal error", { method, requestId, ...describeError(err) });
  return new AppError("INTERNAL", "内部错误 (internal error)");
}

/** Encoded details per distinct error: a crowd gets the same few answers thousands of times. */
const encodedDetails = new Map<string, Buffer>();

function detailsOf(err: AppError, code: status): Buffer {
  const key = `${err.reason}\u0000${err.field ?? ""}\u0000${err.message}`;
  let details = encodedDetails.get(key);
  if (!details) {
    const metadata: Record<string, string> = { code: businessCode(err.reason) };
    if (err.field) metadata.field = err.field;
    const info = ErrorInfo.encode({ reason: err.reason, domain: "flashsale", metadata }).finish();
    details = Buffer.from(
      Status.encode({ code, message: err.message, details: [{ typeUrl: "type.googleapis.com/google.rpc.ErrorInfo", value: Buffer.from(info) }] }).finish(),
    );
    if (encodedDetails.size >= 1000) encodedDetails.clear();
    encodedDetails.set(key, details);
  }
  return details;
}

/** An AppError as a gRPC status whose details carry google.rpc.Status with one ErrorInfo. */
export function toServiceError(err: AppError): Partial<ServiceError> & { reason: string } {
  const code = grpcCodes[err.reason];
  const trailers = new Metadata();
  trailers.set("grpc-status-details-bin", detailsOf(err, code));
  // `reason` rides along for the server's own metrics; grpc-js sends only code, details and metadata.
  return { code, details: err.message, metadata: trailers, reason: err.reason };
}
