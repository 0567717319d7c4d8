import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";

/** A client of grpc.health.v1.Health built from the proto that grpc-health-check ships. */
const definition = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath)) as any;

export const HealthClient: new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client & {
  check(req: { service: string }, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: { status: string }) => void): void;
} = definition.grpc.health.v1.Health;

export const HealthCheckRequest = { fromPartial: (o: { service?: string }) => ({ service: o.service ?? "" }) };
