/**
 * The one error type of the service. Use cases throw it with a reason from
 * the contract (proto/flashsale/error/v1/error_reason.proto); one place
 * (grpc-errors.ts) turns it into a gRPC status with google.rpc.ErrorInfo.
 * Anything else that is thrown becomes INTERNAL, logged but never sent.
 */
export type Reason =
  | "INVALID_ARGUMENT"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "RATE_LIMITED"
  | "REQUEST_ID_CONFLICT"
  | "GOODS_NOT_FOUND"
  | "PERIOD_NOT_FOUND"
  | "CUSTOMER_NOT_FOUND"
  | "ORDER_NOT_FOUND"
  | "CUSTOMER_FROZEN"
  | "CUSTOMER_CANCELLED"
  | "SALE_NOT_STARTED"
  | "SALE_ENDED"
  | "STARS_REQUIRED"
  | "LIMIT_EXCEEDED"
  | "SOLD_OUT"
  | "SELF_STAR_NOT_ALLOWED"
  | "ORDER_STATE_CONFLICT"
  | "INTERNAL"
  | "SERVICE_UNAVAILABLE";

export class AppError extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
    /** JSON name of the offending field, for argument errors. */
    readonly field?: string,
  ) {
    // An AppError is an answer, not a bug: most of a flash crowd ends in
    // SOLD_OUT, and capturing a stack for each costs more than the rest of
    // the rejection. Unexpected errors keep their stacks (they are not AppErrors).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = "AppError";
  }
}

export function invalidArgument(field: string, message: string): AppError {
  return new AppError("INVALID_ARGUMENT", message, field);
}
