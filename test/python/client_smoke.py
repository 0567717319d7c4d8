"""A Python client built from the generated stubs calls the running service.

Usage: client_smoke.py <generated python dir> <host:port> <flashGoodsId> <customerCode>
Prints one JSON object with what it saw.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402  (Debian's python3-grpcio)
from flashsale.goods.v1 import flash_goods_service_pb2 as goods_pb  # noqa: E402
from flashsale.goods.v1 import flash_goods_service_pb2_grpc as goods_grpc  # noqa: E402
from flashsale.order.v1 import flash_order_service_pb2 as order_pb  # noqa: E402
from flashsale.order.v1 import flash_order_service_pb2_grpc as order_grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

address, goods_id, customer = sys.argv[2], sys.argv[3], sys.argv[4]
with grpc.insecure_channel(address) as channel:
    goods = goods_grpc.FlashGoodsServiceStub(channel)
    orders = order_grpc.FlashOrderServiceStub(channel)
    detail = goods.QueryGoodsDetail(goods_pb.QueryGoodsDetailRequest(flash_goods_id=goods_id), timeout=10)
    created = orders.CreateOrder(
        order_pb.CreateOrderRequest(customer_code=customer, flash_goods_id=goods_id, request_id="python-1", quantity=1),
        timeout=10,
    )
    try:
        goods.QueryGoodsDetail(goods_pb.QueryGoodsDetailRequest(flash_goods_id="missing"), timeout=10)
        missing = "OK"
    except grpc.RpcError as err:
        missing = err.code().name
    print(json.dumps({
        "goods": json_format.MessageToDict(detail.goods),
        "order": json_format.MessageToDict(created.order),
        "missing": missing,
    }))
