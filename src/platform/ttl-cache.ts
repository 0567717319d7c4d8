/**
 * Remembers a loaded value (its promise, so concurrent callers share one load)
 * for ttlMs. Failed loads are not remembered. ttlMs 0 disables it.
 */
export function createTtlCache<T>(ttlMs: number, maxEntries = 10_000, clock: () => number = Date.now) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return function cached(key: string, load: () => Promise<T>): Promise<T> {
    if (ttlMs <= 0) return load();
    const now = clock();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.value;
    const value = load();
    entries.set(key, { at: now, value });
    value.catch(() => entries.delete(key));
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return value;
  };
}
