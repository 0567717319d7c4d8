import { CreateFlashGoodsRequest, CreatePeriodRequest, UpsertCustomerRequest } from "../../gen/flashsale/admin/v1/flash_admin_service";
import { QueryGoodsByPeriodRequest, QueryGoodsDetailRequest, QueryPeriodsRequest } from "../../gen/flashsale/goods/v1/flash_goods_service";
import { GetCustomerByRefIdRequest } from "../../gen/flashsale/member/v1/customer_info_service";
import { CancelOrderRequest, CreateOrderRequest, PayOrderRequest, QueryOrderRequest, QueryOrdersRequest } from "../../gen/flashsale/order/v1/flash_order_service";
import { AddStarRequest, QueryStarRequest } from "../../gen/flashsale/star/v1/flash_star_service";
import type { Clients } from "./grpc-clients";

/** Every RPC of SPEC.md's API table: its client, request type and JSON path (none for admin). */
export const rpcs = {
  QueryStar: { service: "star", method: "queryStar", type: QueryStarRequest, path: "/star/flashStarService/queryStar" },
  AddStar: { service: "star", method: "addStar", type: AddStarRequest, path: "/star/flashStarService/addStar" },
  GetCustomerByRefId: { service: "member", method: "getCustomerByRefId", type: GetCustomerByRefIdRequest, path: "/openx/memberopen/customerInfoService/getCustomerByRefId" },
  QueryPeriods: { service: "goods", method: "queryPeriods", type: QueryPeriodsRequest, path: "/goods/flashGoodsService/queryPeriods" },
  QueryGoodsByPeriod: { service: "goods", method: "queryGoodsByPeriod", type: QueryGoodsByPeriodRequest, path: "/goods/flashGoodsService/queryGoodsByPeriod" },
  QueryGoodsDetail: { service: "goods", method: "queryGoodsDetail", type: QueryGoodsDetailRequest, path: "/goods/flashGoodsService/queryGoodsDetail" },
  CreateOrder: { service: "order", method: "createOrder", type: CreateOrderRequest, path: "/order/flashOrderService/createOrder" },
  QueryOrder: { service: "order", method: "queryOrder", type: QueryOrderRequest, path: "/order/flashOrderService/queryOrder" },
  QueryOrders: { service: "order", method: "queryOrders", type: QueryOrdersRequest, path: "/order/flashOrderService/queryOrders" },
  CancelOrder: { service: "order", method: "cancelOrder", type: CancelOrderRequest, path: "/order/flashOrderService/cancelOrder" },
  PayOrder: { service: "order", method: "payOrder", type: PayOrderRequest, path: "/order/flashOrderService/payOrder" },
  CreatePeriod: { service: "admin", method: "createPeriod", type: CreatePeriodRequest, path: undefined },
  CreateFlashGoods: { service: "admin", method: "createFlashGoods", type: CreateFlashGoodsRequest, path: undefined },
  UpsertCustomer: { service: "admin", method: "upsertCustomer", type: UpsertCustomerRequest, path: undefined },
} as const;

export type RpcName = keyof typeof rpcs;

/** Calls an RPC over gRPC with a partial request (absent fields take their proto defaults, as on the wire). */
export function callGrpc(clients: Clients, name: RpcName, body: Record<string, unknown>, metadata?: import("@grpc/grpc-js").Metadata): Promise<any> {
  const rpc = rpcs[name];
  const request = (rpc.type as { fromPartial(o: unknown): unknown }).fromPartial(body);
  return (clients as any)[rpc.service][rpc.method](request, metadata);
}
