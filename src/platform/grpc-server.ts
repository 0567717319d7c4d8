import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { toAppError, toServiceError } from "./grpc-errors";
import type { Logger } from "./logger";
import { type Metrics, seriesCache } from "./metrics";

/** What a capability hands the server: its generated service definition and handlers. */
export interface ServiceBinding {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/**
 * Lets a handler answer with bytes it already encoded (see encodedOnce): hot
 * reads that every member refreshes are encoded once per cache interval, not
 * once per call.
 */
function acceptingEncoded(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      { ...method, responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : method.responseSerialize(value)) },
    ]),
  ) as grpc.ServiceDefinition;
}

/**
 * Every call counted by method, code and reason, timed, and (ACCESS_LOG=on)
 * logged as one line with the caller's x-request-id (sent by the gateway and
 * Envoy): one place for all methods.
 */
function observed(service: ServiceBinding, implementation: grpc.UntypedServiceImplementation, metrics: Metrics, accessLogger: Logger | undefined): grpc.UntypedServiceImplementation {
  const wrapped: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service.definition)) {
    const label = method.path.slice(method.path.lastIndexOf("/") + 1);
    const handler = implementation[name] as grpc.handleUnaryCall<unknown, unknown>;
    // The method's series resolved once, not per call (prom-client hashes the
    // label set on every inc/observe that names it).
    const latency = metrics.latency.labels({ method: label });
    const outcomes = seriesCache<{ inc(): void }>();
    wrapped[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const started = performance.now();
      handler(call, (err, value) => {
        const seconds = (performance.now() - started) / 1000;
        latency.observe(seconds);
        const e = err as (Partial<grpc.ServiceError> & { reason?: string }) | null;
        const code = grpc.status[e?.code ?? grpc.status.OK];
        const reason = e?.reason ?? (e ? "" : "OK");
        outcomes(`${code} ${reason}`, () => metrics.calls.labels({ method: label, code, reason })).inc();
        accessLogger?.info("call", { method: label, code, reason, ms: Math.round(seconds * 1000), requestId: requestIdOf(call.metadata) });
        callback(err, value);
      });
    }) as grpc.handleUnaryCall<unknown, unknown>;
  }
  return wrapped;
}

/** Every method of a service behind its guard: the one place calls are admitted. */
function guarded(service: ServiceBinding, guardFor: GuardFor, logger: Logger): grpc.UntypedServiceImplementation {
  const wrapped: grpc.UntypedServiceImplementation = { ...service.implementation };
  for (const [name, method] of Object.entries(service.definition)) {
    const guard = guardFor(method.path);
    if (!guard) continue;
    const handler = service.implementation[name] as grpc.handleUnaryCall<Record<string, unknown>, unknown>;
    wrapped[name] = ((call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      guard(call.metadata, call.request).then(
        () => handler(call, callback),
        (err) => callback(toServiceError(toAppError(err, logger, method.path))),
      );
    }) as grpc.handleUnaryCall<unknown, unknown>;
  }
  return wrapped;
}

const encodings = new WeakMap<object, Buffer>();

/**
 * The response for a cached view, encoded once for as long as the view lives
 * (the read cache keeps one view object per interval). Typed as the message
 * so handlers stay typed; the server sends the bytes as they are.
 */
export function encodedOnce<Res>(view: object, encode: () => Uint8Array): Res {
  let bytes = encodings.get(view);
  if (!bytes) {
    const encoded = encode();
    bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    encodings.set(view, bytes);
  }
  return bytes as unknown as Res;
}

/** The caller's request id (x-request-id metadata, forwarded from HTTP by the gateway and Envoy). */
function requestIdOf(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get("x-request-id")[0];
  return typeof value === "string" ? value.slice(0, 128) : undefined;
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
      (err) => callback(toServiceError(toAppError(err, logger, method, requestIdOf(call.metadata)))),
    );
  };
}

/** Runs before a handler of our services (not health or reflection); throws to refuse the call. */
export type CallGuard = (metadata: grpc.Metadata, request: Record<string, unknown>) => Promise<void>;

/** The guard of one method (by its path), or undefined when the method needs none. */
export type GuardFor = (path: string) => CallGuard | undefined;

export interface GrpcServerOptions {
  services: ServiceBinding[];
  metrics: Metrics;
  /** One info line per call. */
  accessLog: boolean;
  guardFor?: GuardFor;
  logger: Logger;
  /** gen/flashsale.binpb: what reflection describes. */
  descriptorSet: Buffer;
  maxMessageBytes: number;
}

export function createGrpcServer({ services, metrics, accessLog, guardFor, logger, descriptorSet, maxMessageBytes }: GrpcServerOptions) {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": 16 * 1024 * 1024,
    "grpc.keepalive_permit_without_calls": 1,
  });
  for (const s of services) {
    const implementation = observed(s, guardFor ? guarded(s, guardFor, logger) : s.implementation, metrics, accessLog ? logger : undefined);
    server.addService(acceptingEncoded(s.definition), implementation);
  }

  const health = new HealthImplementation({ "": "NOT_SERVING" });
  health.addToServer(server);

  // Reflection serves our .proto files exactly as buf built them (names,
  // imports, fully qualified types), plus the health service, so grpcurl can
  // list, describe and call everything. proto-loader's own package definition
  // would merge files per package and drop their imports.
  const healthDefinition = protoLoader.loadSync(healthProtoPath);
  const reflection = new ReflectionService({ ...healthDefinition, ...asReflectionInput(descriptorSet) });
  answerWithDeclaredImports(reflection);
  reflection.addToServer(server);

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

/** The descriptor set's files, unmerged, in the shape @grpc/reflection reads (fileDescriptorProtos). */
function asReflectionInput(descriptorSet: Buffer): protoLoader.PackageDefinition {
  const files = fromBinary(FileDescriptorSetSchema, descriptorSet).file.map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f)));
  return { "flashsale.descriptor_set": { format: "Protocol Buffer 3 FileDescriptorProto", type: {}, fileDescriptorProtos: files } } as unknown as protoLoader.PackageDefinition;
}

interface ReflectionIndex {
  files: Record<string, { dependency?: string[] }>;
  fileDependencies: Map<object, object[]>;
}

/**
 * @grpc/reflection 1.0 answers a file with only the files whose types it
 * uses; grpc-go and grpc-java answer with every file it imports (options such
 * as google.api.http included), which is what clients like grpcurl expect in
 * one round trip. Adds each file's declared imports to the index of both the
 * v1 and v1alpha implementations (fields of the pinned 1.0 release; the
 * reflection test fails if they change).
 */
function answerWithDeclaredImports(reflection: ReflectionService): void {
  for (const impl of [(reflection as unknown as { v1: ReflectionIndex }).v1, (reflection as unknown as { v1Alpha: ReflectionIndex }).v1Alpha]) {
    for (const file of Object.values(impl.files)) {
      const declared = (file.dependency ?? []).map((name) => impl.files[name]).filter(Boolean);
      const known = impl.fileDependencies.get(file) ?? [];
      impl.fileDependencies.set(file, [...new Set([...known, ...declared])]);
    }
  }
}
