export interface Star {
  starId: string;
  flashGoodsId: string;
  starSource: string;
  starTarget: string;
  createTime: number;
  starHeadImg: string;
}

export interface StarRepository {
  /** Newest first. */
  listForTarget(flashGoodsId: string, starTarget: string, offset: number, limit: number): Promise<{ stars: Star[]; total: number }>;
  /** Inserts the light-up once; a repeat of (goods, source, target) returns the stored one. */
  insertOnce(star: Star): Promise<Star>;
}
