/**
 * Collects the calls made during one turn of the event loop and sends them
 * together: one `send` per key with every item queued under that key, in the
 * order they were queued. Each caller gets the result at its own index, or
 * the batch's error.
 *
 * Under a crowd, many requests arrive in one read of the sockets; answering
 * them with one command instead of one each is what makes this worth having.
 * Alone, a call waits only for the current turn to finish (setImmediate).
 */
export function batchPerTick<T, R>(send: (key: string, items: T[]) => Promise<R[]>, maxItems = 1000): (key: string, item: T) => Promise<R> {
  let pending = new Map<string, Queued<T, R>[]>();
  let scheduled = false;

  function flush() {
    scheduled = false;
    const groups = pending;
    pending = new Map();
    for (const [key, queued] of groups) {
      for (let i = 0; i < queued.length; i += maxItems) {
        const chunk = queued.slice(i, i + maxItems);
        send(
          key,
          chunk.map((q) => q.item),
        ).then(
          (results) => chunk.forEach((q, j) => q.resolve(results[j])),
          (err: unknown) => chunk.forEach((q) => q.reject(err)),
        );
      }
    }
  }

  return (key, item) =>
    new Promise<R>((resolve, reject) => {
      const queued = pending.get(key);
      if (queued) queued.push({ item, resolve, reject });
      else pending.set(key, [{ item, resolve, reject }]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}

interface Queued<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}
