import * as grpc from "@grpc/grpc-js";
import type { Registry } from "@bufbuild/protobuf";

/** One call as the stub server received it. */
export interface StubCall {
  readonly grpcPath: string;
  readonly request: Buffer;
  readonly metadata: grpc.Metadata;
}

/** What a stub method answers: encoded reply bytes, or a status. */
export type StubAnswer = { reply: Uint8Array } | { error: Partial<grpc.StatusObject> };

export type StubHandler = (request: Buffer, call: grpc.ServerUnaryCall<Buffer, Buffer>) => StubAnswer | Promise<StubAnswer>;

export interface StubGrpcServer {
  /** "127.0.0.1:PORT". */
  readonly target: string;
  readonly calls: StubCall[];
  stop(): Promise<void>;
}

const asIs = (bytes: Buffer): Buffer => bytes;

/**
 * A real gRPC server on 127.0.0.1, port 0, serving every unary method of every
 * service in the registry on raw bytes. A method without a handler in
 * `handlers` (keyed by gRPC path) answers the empty reply message.
 */
export async function startStubGrpcServer(
  registry: Registry,
  handlers: Record<string, StubHandler>,
): Promise<StubGrpcServer> {
  const server = new grpc.Server();
  const calls: StubCall[] = [];
  for (const type of registry) {
    if (type.kind !== "service") continue;
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of type.methods) {
      if (method.methodKind !== "unary") continue;
      const grpcPath = `/${type.typeName}/${method.name}`;
      definition[method.name] = {
        path: grpcPath,
        requestStream: false,
        responseStream: false,
        requestSerialize: asIs,
        requestDeserialize: asIs,
        responseSerialize: asIs,
        responseDeserialize: asIs,
      };
      const handler = handlers[grpcPath] ?? (() => ({ reply: new Uint8Array() }));
      implementation[method.name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        calls.push({ grpcPath, request: call.request, metadata: call.metadata });
        void Promise.resolve(handler(call.request, call)).then((answer) => {
          if ("reply" in answer) callback(null, Buffer.from(answer.reply));
          else callback(answer.error);
        });
      };
    }
    server.addService(definition, implementation);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    target: `127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
