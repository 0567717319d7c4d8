import type { Clients } from "./grpc-clients";

const hour = 3_600_000;

export type PeriodWhen = "ongoing" | "upcoming" | "ended";

export function periodTimes(when: PeriodWhen, now = Date.now()) {
  if (when === "ongoing") return { startTime: now - hour, endTime: now + hour };
  if (when === "upcoming") return { startTime: now + hour, endTime: now + 2 * hour };
  return { startTime: now - 2 * hour, endTime: now - hour };
}

export async function createPeriod(clients: Clients, when: PeriodWhen, title = `${when} 场`) {
  const { period } = await clients.admin.createPeriod({ title, ...periodTimes(when) });
  return period!;
}

export interface GoodsOptions {
  totalStock?: number;
  limitPerCustomer?: number;
  starsRequired?: number;
  flashPrice?: number;
}

export async function createGoods(clients: Clients, periodId: string, options: GoodsOptions = {}) {
  const { goods } = await clients.admin.createFlashGoods({
    periodId,
    goodsCode: "G-TEST",
    name: "测试商品",
    image: "https://img.example.com/t.jpg",
    description: "描述",
    images: ["https://img.example.com/t-1.jpg"],
    originalPrice: 1000,
    flashPrice: options.flashPrice ?? 500,
    totalStock: options.totalStock ?? 10,
    limitPerCustomer: options.limitPerCustomer ?? 1,
    starsRequired: options.starsRequired ?? 0,
  });
  return goods!;
}

/** A goods on sale now in a fresh period. */
export async function goodsOnSale(clients: Clients, options: GoodsOptions = {}) {
  const period = await createPeriod(clients, "ongoing");
  return createGoods(clients, period.id, options);
}

export async function createMember(clients: Clients, customerId: string, status = "EFC", openid = `open-${customerId}`) {
  const { customer } = await clients.admin.upsertCustomer({
    customerId,
    name: "会员",
    cardCode: `C${customerId}`,
    mobile: "13800000000",
    birthday: 631152000000,
    sex: "女",
    status,
    refs: [{ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: openid, refId2: `${openid}-u` }],
  });
  return customer!;
}
