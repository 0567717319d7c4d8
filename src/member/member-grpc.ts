import { CustomerInfoServiceService, type CustomerInfoServiceServer } from "../../gen/flashsale/member/v1/customer_info_service";
import type { Customer as CustomerMessage } from "../../gen/flashsale/member/v1/customer";
import { type ServiceBinding, unary } from "../platform/grpc-server";
import type { Logger } from "../platform/logger";
import { type Customer, customerStatusNames } from "./customer";
import type { makeGetCustomerByRef } from "./get-customer-by-ref";

export const toCustomerMessage = (c: Customer): CustomerMessage => ({
  customerId: c.customerId,
  name: c.name,
  cardCode: c.cardCode,
  mobile: c.mobile,
  birthday: c.birthday,
  sex: c.sex,
  status: c.status,
  statusName: customerStatusNames[c.status],
});

export function memberServiceBinding(getCustomerByRef: ReturnType<typeof makeGetCustomerByRef>, logger: Logger): ServiceBinding {
  const implementation: CustomerInfoServiceServer = {
    getCustomerByRefId: unary(logger, "GetCustomerByRefId", async (req) => toCustomerMessage(await getCustomerByRef(req))),
  };
  return { definition: CustomerInfoServiceService, implementation };
}
