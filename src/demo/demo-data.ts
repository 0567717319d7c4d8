import type { makeGoodsAdmin } from "../goods/manage-goods";
import type { GoodsRepository } from "../goods/goods";
import type { makeUpsertCustomer } from "../member/upsert-customer";
import type { StarRepository } from "../star/star";
import { newId } from "../platform/ids";
import { dayRange, isoDay, wallClock, zonedTime } from "../platform/time";

interface Deps {
  goods: GoodsRepository;
  stars: StarRepository;
  goodsAdmin: ReturnType<typeof makeGoodsAdmin>;
  upsertCustomer: ReturnType<typeof makeUpsertCustomer>;
  saleTimeZone: string;
  clock?: () => number;
}

/** Demo members, bound to WeChat mini-program openids. */
const demoCustomers = [
  { customerId: "598bc0f542559b20787e62e6", name: "李四", cardCode: "W123456985", mobile: "13725579628", sex: "男", status: "EFC", openid: "oDemoOpenid0001" },
  { customerId: "598bc0f542559b20787e62e7", name: "王芳", cardCode: "W123456986", mobile: "13725579629", sex: "女", status: "EFC", openid: "oDemoOpenid0002" },
  { customerId: "598bc0f542559b20787e62e8", name: "张伟", cardCode: "W123456987", mobile: "13725579630", sex: "男", status: "EFC", openid: "oDemoOpenid0003" },
  { customerId: "598bc0f542559b20787e62e9", name: "赵敏", cardCode: "W123456988", mobile: "13725579631", sex: "女", status: "FST", openid: "oDemoOpenid0004" },
] as const;

const catalogue = [
  ["G1001", "五常大米 5kg", 8900, 3990],
  ["G1002", "有机鲜鸡蛋 30枚", 4590, 1990],
  ["G1003", "维生素C泡腾片", 6800, 2900],
  ["G1004", "医用外科口罩 50只", 3500, 990],
  ["G1005", "电动牙刷", 29900, 9900],
  ["G1006", "蓝牙耳机", 39900, 12900],
  ["G1007", "保温杯 500ml", 15900, 4900],
  ["G1008", "手冲咖啡豆 250g", 9800, 3900],
  ["G1009", "婴儿湿巾 80抽×6包", 5990, 1990],
  ["G1010", "空气炸锅", 49900, 19900],
  ["G1011", "面霜 50g", 32000, 9900],
  ["G1012", "跑步鞋", 59900, 19900],
] as const;

/**
 * The embedded default's demo sale: on a start when no period begins today
 * (sale time zone), adds today's three periods around now (one ended, one
 * ongoing, one upcoming where the day allows), a dozen goods, four members
 * bound to WeChat openids (one frozen) and some light-ups.
 */
export async function loadDemoDataIfNeeded(deps: Deps): Promise<boolean> {
  const { goods, stars, goodsAdmin, upsertCustomer, saleTimeZone, clock = Date.now } = deps;
  const now = clock();
  const today = dayRange(isoDay(now, saleTimeZone), saleTimeZone)!;
  if ((await goods.listPeriodsStarting(today.start, today.end)).length > 0) return false;

  for (const c of demoCustomers) {
    await upsertCustomer({
      customerId: c.customerId, name: c.name, cardCode: c.cardCode, mobile: c.mobile, birthday: 631152000000,
      sex: c.sex, status: c.status, refs: [{ comeFrom: "WECHAT", relateFrom: "MINIPG", refId: c.openid, refId2: `${c.openid}-union` }],
    });
  }

  const w = wallClock(now, saleTimeZone);
  const hourStart = zonedTime(w.year, w.month, w.day, w.hour, 0, saleTimeZone);
  const hour = 3_600_000;
  const slots = [hourStart - 2 * hour, hourStart, hourStart + 2 * hour].filter((start) => start >= today.start && start < today.end);
  const periods = [];
  for (const start of slots) {
    const t = wallClock(start, saleTimeZone);
    periods.push(await goodsAdmin.createPeriod({ title: `${String(t.hour).padStart(2, "0")}:00场`, startTime: start, endTime: start + 2 * hour }));
  }

  const ongoing = periods.find((p) => p.status === "ONGOING")!;
  let index = 0;
  for (const [goodsCode, name, originalPrice, flashPrice] of catalogue) {
    const period = index < 8 ? ongoing : periods[index % periods.length];
    const created = await goodsAdmin.createFlashGoods({
      periodId: period.periodId,
      goodsCode,
      name,
      image: `https://img.example.com/flash/${goodsCode}.jpg`,
      description: `${name}，限时抢购，售完即止。`,
      images: [`https://img.example.com/flash/${goodsCode}-1.jpg`, `https://img.example.com/flash/${goodsCode}-2.jpg`],
      originalPrice,
      flashPrice,
      totalStock: [100, 50, 20, 200][index % 4],
      limitPerCustomer: index % 3 === 0 ? 2 : 1,
      starsRequired: index === 1 ? 2 : 0,
    });
    if (index === 1) {
      // The first member already has the two light-ups this goods needs.
      for (const source of [demoCustomers[1], demoCustomers[2]]) {
        await stars.insertOnce({
          starId: newId(now), flashGoodsId: created.flashGoodsId, starSource: source.customerId,
          starTarget: demoCustomers[0].customerId, starHeadImg: `https://img.example.com/head/${source.openid}.png`, createTime: now,
        });
      }
    }
    index++;
  }
  return true;
}
