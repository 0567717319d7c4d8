import { create, fromBinary, toJson } from "@bufbuild/protobuf";
import type { DescMessage, Message, Registry } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { status, type ServiceError } from "@grpc/grpc-js";
import type { GatewayError } from "./gateway-error";
import { httpStatusForGrpcCode } from "./http-status";

/** An HTTP answer for a failure: status and google.rpc.Status JSON body. */
export interface ErrorReply {
  readonly httpStatus: number;
  readonly body: string;
}

export interface StatusPrinter {
  /** What Envoy's `convert_grpc_status: true` prints for a failed call. */
  fromGrpcError(error: ServiceError): ErrorReply;
  /** The same shape for an error the gateway raises itself. */
  fromGatewayError(error: GatewayError): ErrorReply;
}

/**
 * Without status details the message was written by grpc-js on our side of
 * the wire or by a handler that bypassed the service's error mapping; for these
 * codes it can name hosts, ports or internals, so a fixed sentence replaces it.
 */
const TRANSPORT_MESSAGES: ReadonlyMap<number, string> = new Map([
  [status.CANCELLED, "The call was cancelled."],
  [status.UNKNOWN, "The service failed unexpectedly."],
  [status.DEADLINE_EXCEEDED, "The service did not answer in time."],
  [status.INTERNAL, "The service failed unexpectedly."],
  [status.UNAVAILABLE, "The service is unavailable; retry later."],
]);

const STATUS_DETAILS_KEY = "grpc-status-details-bin";

export function createStatusPrinter(registry: Registry): StatusPrinter {
  const statusSchema = requireMessage(registry, "google.rpc.Status");
  const errorInfoSchema = requireMessage(registry, "google.rpc.ErrorInfo");

  const print = (message: Message): string =>
    JSON.stringify(toJson(statusSchema, message, { alwaysEmitImplicit: true, registry }));

  const plainStatus = (code: number, message: string) => create(statusSchema, { code, message });

  return {
    fromGrpcError(error) {
      const httpStatus = httpStatusForGrpcCode(error.code);
      const details = error.metadata?.get(STATUS_DETAILS_KEY)[0];
      if (Buffer.isBuffer(details)) {
        try {
          return { httpStatus, body: print(fromBinary(statusSchema, details)) };
        } catch {
          // Undecodable details, or an Any of a type not in the descriptor set:
          // fall back to the code and message, as if no details were sent.
        }
      }
      const message = TRANSPORT_MESSAGES.get(error.code) ?? error.details;
      return { httpStatus, body: print(plainStatus(error.code, message)) };
    },

    fromGatewayError(error) {
      const metadata: Record<string, string> = { code: error.businessCode };
      if (error.field) metadata.field = error.field;
      const errorInfo = create(errorInfoSchema, { reason: error.reason, domain: "flashsale", metadata });
      const body = create(statusSchema, {
        code: error.code,
        message: error.message,
        details: [anyPack(errorInfoSchema, errorInfo)],
      });
      return { httpStatus: error.httpStatus, body: print(body) };
    },
  };
}

function requireMessage(registry: Registry, typeName: string): DescMessage {
  const message = registry.getMessage(typeName);
  if (!message) throw new Error(`The descriptor set lacks ${typeName}; build it with its imports.`);
  return message;
}
