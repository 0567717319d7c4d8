import type { IncomingMessage, ServerResponse } from "node:http";
import { fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import type { Registry } from "@bufbuild/protobuf";
import type { Client } from "@grpc/grpc-js";
import type { Route } from "./descriptor-routes";
import { forwardedMetadata } from "./forwarded-metadata";
import { GatewayError, gatewayInternal } from "./gateway-error";
import { callUnary } from "./grpc-call";
import { requestFromJsonBody } from "./json-request";
import { sendError, sendJson } from "./json-response";
import { readRequestBody, RequestAbortedError } from "./request-body";
import type { StatusPrinter } from "./status-json";

export interface TranscodeContext {
  readonly client: Client;
  readonly registry: Registry;
  readonly statuses: StatusPrinter;
  readonly maxBodyBytes: number;
}

/** JSON body → request message → unary gRPC call → JSON answer, for one route. */
export async function transcode(
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
  context: TranscodeContext,
): Promise<void> {
  try {
    const body = await readRequestBody(req, context.maxBodyBytes);
    const request = toBinary(route.input, requestFromJsonBody(route.input, body));
    const outcome = await callUnary(context.client, route.grpcPath, request, forwardedMetadata(req.headers), res);
    if (outcome.error) {
      sendError(res, context.statuses.fromGrpcError(outcome.error));
      return;
    }
    const reply = fromBinary(route.output, outcome.reply);
    sendJson(res, 200, JSON.stringify(toJson(route.output, reply, { alwaysEmitImplicit: true, registry: context.registry })));
  } catch (error) {
    if (error instanceof RequestAbortedError) return;
    const gatewayError = error instanceof GatewayError ? error : gatewayInternal();
    sendError(res, context.statuses.fromGatewayError(gatewayError));
  }
}
