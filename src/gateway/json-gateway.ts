import type * as http from "node:http";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Client, credentials } from "@grpc/grpc-js";
import { routeKey, routesFromAnnotations } from "./descriptor-routes";
import { noRoute } from "./gateway-error";
import { sendError } from "./json-response";
import { createStatusPrinter } from "./status-json";
import { transcode, type TranscodeContext } from "./transcode";

export interface JsonGatewayOptions {
  /** Bytes of gen/flashsale.binpb (FileDescriptorSet, with imports). */
  descriptorSet: Uint8Array;
  /** "127.0.0.1:PORT" of the gRPC server to forward to. */
  grpcTarget: string;
  /** Largest accepted request body; a larger one is answered 413. Default 1 MiB (1048576). */
  maxBodyBytes?: number;
}

export interface JsonGateway {
  /** Handles the request if it is a /rest path; returns false (without touching res) otherwise so the caller can serve e.g. /metrics. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Closes the gRPC channel. */
  close(): void;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The development stand-in for Envoy's gRPC-JSON transcoder as envoy.yaml
 * configures it: routes and JSON mapping come from the descriptor set, errors
 * print as google.rpc.Status. Everything descriptor-related is resolved here,
 * once; a request costs one Map lookup before the transcoding itself.
 */
export function createJsonGateway(options: JsonGatewayOptions): JsonGateway {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new Error(`maxBodyBytes must be a whole number of bytes, got ${maxBodyBytes}.`);
  }
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, options.descriptorSet));
  const routes = routesFromAnnotations(registry);
  const context: TranscodeContext = {
    client: new Client(options.grpcTarget, credentials.createInsecure()),
    registry,
    statuses: createStatusPrinter(registry),
    maxBodyBytes,
  };

  return {
    handle(req, res) {
      const httpMethod = req.method ?? "GET";
      const path = pathOf(req.url ?? "/");
      const route = routes.get(routeKey(httpMethod, path));
      if (route) {
        void transcode(route, req, res, context);
        return true;
      }
      if (!isRestPath(path)) return false;
      sendError(res, context.statuses.fromGatewayError(noRoute(httpMethod, path)));
      return true;
    },
    close() {
      context.client.close();
    },
  };
}

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

function isRestPath(path: string): boolean {
  return path === "/rest" || path.startsWith("/rest/");
}
