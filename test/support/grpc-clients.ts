import * as grpc from "@grpc/grpc-js";
import { FlashAdminServiceClient } from "../../gen/flashsale/admin/v1/flash_admin_service";
import { FlashGoodsServiceClient } from "../../gen/flashsale/goods/v1/flash_goods_service";
import { CustomerInfoServiceClient } from "../../gen/flashsale/member/v1/customer_info_service";
import { FlashOrderServiceClient } from "../../gen/flashsale/order/v1/flash_order_service";
import { FlashStarServiceClient } from "../../gen/flashsale/star/v1/flash_star_service";
import { ErrorInfo } from "../../gen/google/rpc/error_details";
import { Status } from "../../gen/google/rpc/status";

type Unary<Req, Res> = (req: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown;

/** Promise-returning methods of a generated client (ts-proto's grpc-js clients are callback-style). */
export type Promised<C> = {
  [K in keyof C as C[K] extends Unary<any, any> ? K : never]: C[K] extends Unary<infer Req, infer Res>
    ? (req: Req, metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>) => Promise<Res>
    : never;
};

function promised<C extends grpc.Client>(client: C): Promised<C> {
  return new Proxy({} as Promised<C>, {
    get(_, name: string) {
      const method = (client as any)[name] as Unary<unknown, unknown>;
      return (req: unknown, metadata = new grpc.Metadata(), options: Partial<grpc.CallOptions> = {}) =>
        new Promise((resolve, reject) => {
          method.call(client, req, metadata, { deadline: Date.now() + 30_000, ...options }, (err, res) => (err ? reject(err) : resolve(res)));
        });
    },
  });
}

/** Generated clients for every service, over one channel each. */
export function connectClients(address: string) {
  const creds = grpc.credentials.createInsecure();
  const raw = {
    star: new FlashStarServiceClient(address, creds),
    member: new CustomerInfoServiceClient(address, creds),
    goods: new FlashGoodsServiceClient(address, creds),
    order: new FlashOrderServiceClient(address, creds),
    admin: new FlashAdminServiceClient(address, creds),
  };
  return {
    star: promised(raw.star),
    member: promised(raw.member),
    goods: promised(raw.goods),
    order: promised(raw.order),
    admin: promised(raw.admin),
    close: () => Object.values(raw).forEach((c) => c.close()),
  };
}

export type Clients = ReturnType<typeof connectClients>;

export interface DecodedError {
  code: grpc.status;
  message: string;
  reason?: string;
  domain?: string;
  businessCode?: string;
  field?: string;
}

/** The status of a failed call with its google.rpc.ErrorInfo detail. */
export function decodeGrpcError(err: unknown): DecodedError {
  const e = err as grpc.ServiceError;
  if (typeof e?.code !== "number") throw err;
  const bin = e.metadata?.get("grpc-status-details-bin")[0];
  const out: DecodedError = { code: e.code, message: e.details };
  if (bin) {
    const status = Status.decode(bin as Buffer);
    const info = status.details.find((d) => d.typeUrl.endsWith("google.rpc.ErrorInfo"));
    if (info) {
      const decoded = ErrorInfo.decode(info.value);
      Object.assign(out, { reason: decoded.reason, domain: decoded.domain, businessCode: decoded.metadata.code, field: decoded.metadata.field });
    }
  }
  return out;
}

/** Runs a call that must fail and returns its decoded status. */
export async function grpcFailure(call: Promise<unknown>): Promise<DecodedError> {
  try {
    await call;
  } catch (err) {
    return decodeGrpcError(err);
  }
  throw new Error("expected the call to fail, it succeeded");
}
