import { optionalText, requireText } from "../platform/validate";
import { type Customer, type CustomerRepository, customerNotFound } from "./customer";

export interface GetCustomerByRefInput {
  comeFrom: string;
  relateFrom: string;
  refId: string;
  refId2: string;
}

/** The member bound to a channel reference (e.g. a WeChat openid). */
export function makeGetCustomerByRef({ customers }: { customers: CustomerRepository }) {
  return async function getCustomerByRef(input: GetCustomerByRefInput): Promise<Customer> {
    const comeFrom = requireText("comeFrom", input.comeFrom, 64);
    const relateFrom = requireText("relateFrom", input.relateFrom, 32);
    const refId = requireText("refId", input.refId, 128);
    const refId2 = optionalText("refId2", input.refId2.trim(), 128);
    const found = await customers.findByRef(comeFrom, relateFrom, refId);
    // refId2 (unionid), when given, must match the bound one too.
    if (!found || (refId2 && found.ref.refId2 !== refId2)) {
      throw customerNotFound();
    }
    return found.customer;
  };
}
