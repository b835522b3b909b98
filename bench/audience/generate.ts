import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** mulberry32: a small seeded PRNG, so every run writes the same file. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TAGS = 50;
export const tagName = (i: number) => `标签${String(i + 1).padStart(2, '0')}`;
export const places = [
  ['浙江省', '杭州市', ['西湖区', '滨江区', '余杭区']],
  ['浙江省', '宁波市', ['鄞州区', '海曙区']],
  ['广东省', '深圳市', ['南山区', '福田区', '宝安区']],
  ['广东省', '广州市', ['天河区', '越秀区']],
  ['上海市', '上海市', ['浦东新区', '徐汇区', '静安区']],
  ['北京市', '北京市', ['朝阳区', '海淀区']],
  ['四川省', '成都市', ['武侯区', '锦江区']],
  ['江苏省', '南京市', ['鼓楼区', '玄武区']],
] as const;
const devices = ['ios', 'android', 'harmonyos', 'windows'];

/**
 * Writes `n` contacts as a UTF-8 CSV with Chinese headers: a unique mainland mobile each,
 * an e-mail for a third, 1–6 tags (about 3.5 on average, popular tags more often), region,
 * device, last activity within 120 days (a fifth never active), and a custom attribute.
 */
export async function writeContactsCsv(path: string, n: number, seed = 20260302): Promise<void> {
  const random = prng(seed);
  const out = createWriteStream(path);
  const now = Date.UTC(2026, 2, 1);
  out.write('姓名,手机号,邮箱,标签,省份,城市,区县,设备,最近活跃,attr.level\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const k = 1 + Math.floor(random() * 6);
    const tags = new Set<number>();
    while (tags.size < k) tags.add(Math.floor(TAGS * random() ** 1.6));
    const [province, city, districts] = places[Math.floor(random() * places.length)]!;
    const district = districts[Math.floor(random() * districts.length)]!;
    const active =
      random() < 0.2 ? '' : new Date(now - Math.floor(random() * 120 * 86_400_000)).toISOString();
    // 13x and 18x: ranges every number of which libphonenumber accepts as a mainland mobile.
    const phone = `1${i % 2 === 0 ? 3 : 8}${String(100_000_000 + i * 13).slice(-9)}`;
    chunk += `用户${i},${phone},${i % 3 === 0 ? `u${i}@example.com` : ''},${[...tags].map(tagName).join('|')},${province},${city},${district},${devices[Math.floor(random() * 4)]},${active},${['gold', 'silver', 'bronze'][i % 3]}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
