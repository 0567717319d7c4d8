import { status } from "@grpc/grpc-js";

/**
 * An error the gateway answers itself, before or instead of a gRPC call. It
 * carries the google.rpc.ErrorInfo the service would attach, so a client sees
 * one error shape whoever raised it (error_reason.proto: code = 11000000 +
 * the ErrorReason number).
 */
export class GatewayError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: status,
    message: string,
    readonly reason: string,
    readonly businessCode: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Longest piece of client input echoed back in a message. */
const ECHO_LIMIT = 120;

function echo(text: string): string {
  return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}…` : text;
}

function invalidArgument(httpStatus: number, message: string, field?: string): GatewayError {
  return new GatewayError(httpStatus, status.INVALID_ARGUMENT, message, "INVALID_ARGUMENT", "11001000", field);
}

export function malformedBody(): GatewayError {
  return invalidArgument(400, "The request body is not valid JSON.");
}

export function invalidField(field: string, reason: string): GatewayError {
  return invalidArgument(400, echo(`Invalid value for field ${field}: ${reason}`), field);
}

export function mismatchedBody(): GatewayError {
  return invalidArgument(400, "The request body does not match the request message.");
}

export function bodyTooLarge(limitBytes: number): GatewayError {
  return invalidArgument(413, `The request body is larger than ${limitBytes} bytes.`);
}

/**
 * No ErrorReason names a missing route; 11000000 is the generic business code
 * (the seed's example), as a route is not a business object.
 */
export function noRoute(httpMethod: string, path: string): GatewayError {
  return new GatewayError(404, status.NOT_FOUND, echo(`No JSON route for ${httpMethod} ${path}.`), "NOT_FOUND", "11000000");
}

/** The gateway failed to turn the service's answer into JSON; details stay out of the body. */
export function gatewayInternal(): GatewayError {
  return new GatewayError(500, status.INTERNAL, "The gateway could not translate the service's answer.", "INTERNAL", "11009000");
}
