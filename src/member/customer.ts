import { AppError } from "../platform/errors";

export type CustomerStatus = "EFC" | "FST" | "CNL";

export const customerStatusNames: Record<CustomerStatus, string> = { EFC: "正常", FST: "冻结", CNL: "注销" };

export interface Customer {
  customerId: string;
  name: string;
  cardCode: string;
  mobile: string;
  birthday: number;
  sex: string;
  status: CustomerStatus;
}

export interface CustomerRef {
  comeFrom: string;
  relateFrom: string;
  refId: string;
  refId2: string;
}

/** Only an active (EFC) member may light up or order: why a member (status, or undefined when unknown) may not. */
export function customerRefusal(status: string | undefined): "CUSTOMER_NOT_FOUND" | "CUSTOMER_FROZEN" | "CUSTOMER_CANCELLED" | undefined {
  if (status === undefined) return "CUSTOMER_NOT_FOUND";
  if (status === "FST") return "CUSTOMER_FROZEN";
  if (status === "CNL") return "CUSTOMER_CANCELLED";
  return undefined;
}

export function assertCustomerCanAct(customer: Customer): void {
  const refusal = customerRefusal(customer.status);
  if (refusal && refusal !== "CUSTOMER_NOT_FOUND") throw customerStatusError(refusal);
}

export function customerNotFound(): AppError {
  return new AppError("CUSTOMER_NOT_FOUND", "会员不存在 (member not found)");
}

export function customerStatusError(reason: "CUSTOMER_FROZEN" | "CUSTOMER_CANCELLED"): AppError {
  return reason === "CUSTOMER_FROZEN"
    ? new AppError("CUSTOMER_FROZEN", "该会员已冻结 (member is frozen)")
    : new AppError("CUSTOMER_CANCELLED", "该会员已注销 (member is cancelled)");
}

export interface CustomerRepository {
  findById(customerId: string): Promise<Customer | undefined>;
  findByRef(comeFrom: string, relateFrom: string, refId: string): Promise<{ customer: Customer; ref: CustomerRef } | undefined>;
  /** Creates or replaces the member and its channel references, atomically. */
  upsert(customer: Customer, refs: CustomerRef[]): Promise<void>;
}

/** Finds the member or throws CUSTOMER_NOT_FOUND. */
export async function requireCustomer(customers: CustomerRepository, customerId: string): Promise<Customer> {
  const customer = await customers.findById(customerId);
  if (!customer) throw customerNotFound();
  return customer;
}
