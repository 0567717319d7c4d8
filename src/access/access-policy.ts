import { AppError } from "../platform/errors";
import type { Principal, Role } from "./principal";

/**
 * Who may call what, in one table. `actsFor` names the request field that says
 * which member the call acts for: a customer may only name itself there;
 * services (internal callers, the payment service) and admins may name anyone.
 * A method missing from the table is refused.
 */
interface Rule {
  roles: readonly Role[];
  actsFor?: string;
  /** Counted against the acting member's rate limit (the calls bots hammer). */
  rateLimited?: true;
}

const everyone: readonly Role[] = ["customer", "service", "admin"];
const internal: readonly Role[] = ["service", "admin"];

const star = "/flashsale.star.v1.FlashStarService/";
const member = "/flashsale.member.v1.CustomerInfoService/";
const goods = "/flashsale.goods.v1.FlashGoodsService/";
const order = "/flashsale.order.v1.FlashOrderService/";
const admin = "/flashsale.admin.v1.FlashAdminService/";

const accessPolicy: Record<string, Rule> = {
  [`${star}QueryStar`]: { roles: everyone, actsFor: "customerCode" },
  [`${star}AddStar`]: { roles: everyone, actsFor: "starSource", rateLimited: true },
  // The lookup returns a member's mobile number: internal callers only (a
  // member's token already carries its code).
  [`${member}GetCustomerByRefId`]: { roles: internal },
  [`${goods}QueryPeriods`]: { roles: everyone },
  [`${goods}QueryGoodsByPeriod`]: { roles: everyone },
  [`${goods}QueryGoodsDetail`]: { roles: everyone },
  // CreateOrder is rate limited too, per member and goods, inside the stock
  // gate's reservation step (no extra round trip on the crowd path).
  [`${order}CreateOrder`]: { roles: everyone, actsFor: "customerCode" },
  [`${order}QueryOrder`]: { roles: everyone, actsFor: "customerCode" },
  [`${order}QueryOrders`]: { roles: everyone, actsFor: "customerCode" },
  [`${order}CancelOrder`]: { roles: everyone, actsFor: "customerCode" },
  [`${order}PayOrder`]: { roles: internal },
  [`${admin}CreatePeriod`]: { roles: ["admin"] },
  [`${admin}CreateFlashGoods`]: { roles: ["admin"] },
  [`${admin}UpsertCustomer`]: { roles: ["admin"] },
};

/** The rule of a method (undefined: no caller may use it when tokens are checked). */
export const ruleFor = (path: string): Rule | undefined => accessPolicy[path];

export function authorize(rule: Rule | undefined, principal: Principal, request: Record<string, unknown>): void {
  if (!rule || !rule.roles.includes(principal.role)) {
    throw new AppError("PERMISSION_DENIED", "无权调用 (this caller may not use this method)");
  }
  if (rule.actsFor && principal.role === "customer" && request[rule.actsFor] !== principal.subject) {
    throw new AppError("PERMISSION_DENIED", "不能代替其他会员操作 (a member may act only for itself)");
  }
}

/** The member a rate-limited call acts for, or undefined when the method is not rate limited. */
export function rateLimitedMember(rule: Rule | undefined, request: Record<string, unknown>): string | undefined {
  if (!rule?.rateLimited || !rule.actsFor) return undefined;
  const member = request[rule.actsFor];
  return typeof member === "string" && member.length > 0 ? member : undefined;
}
