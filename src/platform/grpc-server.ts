import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { toAppError, toServiceError } from "./grpc-errors";
import type { Logger } from "./logger";

/** What a capability hands the server: its generated service definition and handlers. */
export interface ServiceBinding {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/** Call facts a use case may need, free of gRPC types. */
export interface CallContext {
  metadata: grpc.Metadata;
  deadline: number | undefined;
}

/**
 * Turns an async use-case call into a grpc-js unary handler. Errors are mapped
 * here, in one place: AppError → its status + ErrorInfo, the rest → INTERNAL
 * (logged with its stack, never sent).
 */
export function unary<Req, Res>(
  logger: Logger,
  method: string,
  handler: (request: Req, context: CallContext) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const deadline = call.getDeadline();
    const context: CallContext = {
      metadata: call.metadata,
      deadline: deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? Number(deadline) : undefined,
    };
    handler(call.request, context).then(
      (response) => callback(null, response),
      (err) => callback(toServiceError(toAppError(err, logger, method))),
    );
  };
}

export interface GrpcServerOptions {
  services: ServiceBinding[];
  /** gen/flashsale.binpb: what reflection describes. */
  descriptorSet: Buffer;
  maxMessageBytes: number;
}

export function createGrpcServer({ services, descriptorSet, maxMessageBytes }: GrpcServerOptions) {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": 16 * 1024 * 1024,
    "grpc.keepalive_permit_without_calls": 1,
  });
  for (const s of services) server.addService(s.definition, s.implementation);

  const health = new HealthImplementation({ "": "NOT_SERVING" });
  health.addToServer(server);

  // Reflection describes our descriptor set plus the health service, so
  // `grpcurl list` shows everything a client can call.
  const ours = protoLoader.loadFileDescriptorSetFromBuffer(descriptorSet);
  const healthDefinition = protoLoader.loadSync(healthProtoPath);
  new ReflectionService({ ...ours, ...healthDefinition }).addToServer(server);

  return {
    server,
    health,
    async listen(host: string, port: number): Promise<number> {
      return new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(err) : resolve(bound),
        );
      });
    },
    setServing(serving: boolean) {
      const state = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", state);
      for (const s of services) {
        const name = Object.values(s.definition)[0]?.path.split("/")[1];
        if (name) health.setStatus(name, state);
      }
    },
    /** Stops taking calls, lets in-flight calls finish (up to graceMs), then forces. */
    async shutdown(graceMs: number): Promise<void> {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

export type GrpcServer = ReturnType<typeof createGrpcServer>;
