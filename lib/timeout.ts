/**
 * `work`, or a `TimeoutError` (a `DOMException`) after `ms` milliseconds; the timer never outlives the race, and a
 * failure of `work` after the timeout is not left unhandled.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer!: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException(`no answer in ${ms} ms`, "TimeoutError")), ms);
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
