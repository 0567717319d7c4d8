import { describeError, type Logger } from "./logger";

/** Runs a job every intervalMs, one run at a time, logging failures; returns a stopper. */
export function every(intervalMs: number, name: string, job: () => Promise<unknown>, logger: Logger): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => job()).catch((err) => logger.warn(`${name} failed`, describeError(err)));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
