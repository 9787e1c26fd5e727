// pipeline/ordered-map.ts: ordered async map with bounded concurrency (read-ahead). May import nothing.
/** Options of {@link orderedMap}. */
export interface OrderedMapOptions {
  /** Tasks running or finished but not yet taken, at most (>= 1). */
  concurrency: number;
  /**
   * Slow start: the first task runs alone, and every result taken lets one more task run, up to
   * `concurrency` (1, then 2, 3, ... in flight). The first result then gets the whole machine
   * instead of sharing it with the read-ahead (time to the first sample), and the read-ahead is
   * full after `concurrency - 1` results. Default false: `concurrency` tasks start at once.
   */
  rampUp?: boolean;
}

/**
 * Maps `items` through `fn` with bounded concurrency and yields the results in input order,
 * like p-map's `pMapIterable`: at most `concurrency` tasks are in flight or waiting to be
 * taken, and a new one starts only when the consumer takes a result (back-pressure), so read-
 * ahead stays bounded however long `items` is. `items` is pulled lazily (it may be endless).
 *
 * The first failure in order is thrown at its position, whether `fn` or `items` failed (an
 * error thrown by `items` comes after every result before it, whatever `concurrency`). When the consumer stops early
 * (`break`, an error), no new task starts and the results of tasks still running are ignored
 * (their rejections are handled, never unhandled).
 */
export async function* orderedMap<T, R>(
  items: Iterable<T>,
  fn: (item: T) => Promise<R>,
  options: OrderedMapOptions,
): AsyncGenerator<R, void, undefined> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const iterator = items[Symbol.iterator]();
  const queue: Promise<R>[] = [];
  let done = false;
  let taken = 0;
  const fill = (): void => {
    const limit = options.rampUp === true ? Math.min(concurrency, taken + 1) : concurrency;
    while (!done && queue.length < limit) {
      let next: IteratorResult<T>;
      try {
        next = iterator.next();
      } catch (error) {
        // `items` failed: that failure takes the next position, after the results before it.
        done = true;
        const failed = Promise.reject(error);
        failed.catch(() => undefined);
        queue.push(failed);
        break;
      }
      if (next.done) {
        done = true;
        break;
      }
      const item = next.value;
      const task = Promise.resolve().then(() => fn(item));
      task.catch(() => undefined);
      queue.push(task);
    }
  };
  try {
    fill();
    while (queue.length > 0) {
      const result = await (queue.shift() as Promise<R>);
      taken += 1;
      fill();
      yield result;
    }
  } finally {
    done = true;
    iterator.return?.();
  }
}
