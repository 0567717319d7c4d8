import { newId } from "../platform/ids";
import { invalidArgument } from "../platform/errors";
import { optionalText, requireId, requireText } from "../platform/validate";
import type { Customer, CustomerRef, CustomerRepository, CustomerStatus } from "./customer";

/** A member as operations describe it; status is checked here, so it arrives as text. */
export type UpsertCustomerInput = Omit<Customer, "status"> & { status: string; refs: CustomerRef[] };

/** Operations: create a member, or update it, with its channel references. */
export function makeUpsertCustomer({ customers }: { customers: CustomerRepository }) {
  return async function upsertCustomer(input: UpsertCustomerInput): Promise<Customer> {
    const customer: Customer = {
      customerId: input.customerId.trim() ? requireId("customerId", input.customerId) : newId(),
      name: optionalText("name", input.name.trim(), 64),
      cardCode: optionalText("cardCode", input.cardCode.trim(), 64),
      mobile: optionalText("mobile", input.mobile.trim(), 32),
      birthday: requireBirthday(input.birthday),
      sex: requireSex(input.sex.trim()),
      status: requireStatus(input.status.trim() || "EFC"),
    };
    if (input.refs.length > 20) throw invalidArgument("refs", "at most 20 refs");
    const refs = input.refs.map((ref) => ({
      comeFrom: requireText("refs.comeFrom", ref.comeFrom, 64),
      relateFrom: requireText("refs.relateFrom", ref.relateFrom, 32),
      refId: requireText("refs.refId", ref.refId, 128),
      refId2: optionalText("refs.refId2", ref.refId2.trim(), 128),
    }));
    await customers.upsert(customer, refs);
    return customer;
  };
}

function requireBirthday(value: number): number {
  if (!Number.isInteger(value) || Math.abs(value) > 7_258_118_400_000) {
    throw invalidArgument("birthday", "birthday must be epoch milliseconds");
  }
  return value;
}

function requireSex(value: string): string {
  if (value !== "" && value !== "男" && value !== "女") throw invalidArgument("sex", "sex must be 男 or 女");
  return value;
}

function requireStatus(value: string): CustomerStatus {
  if (value !== "EFC" && value !== "FST" && value !== "CNL") {
    throw invalidArgument("status", "status must be EFC, FST or CNL");
  }
  return value;
}
