/**
 * Runs `fn` on items with at most `limit` in flight and yields results in input order (a function limit is read as
 * each item comes: a schedule can widen as workers start).
 * Reading the next item overlaps with work in progress; a slow consumer holds back the producer (backpressure).
 */
export async function* mapOrdered<I, O>(
  items: AsyncIterable<I> | Iterable<I>,
  limit: number | (() => number),
  fn: (item: I) => Promise<O>,
  signal?: AbortSignal,
): AsyncGenerator<O> {
  const inFlight: Array<Promise<O>> = [];
  try {
    for await (const item of items) {
      signal?.throwIfAborted();
      const p = fn(item);
      p.catch(() => undefined);
      inFlight.push(p);
      if (inFlight.length >= (typeof limit === 'number' ? limit : limit())) yield await inFlight.shift()!;
    }
    while (inFlight.length > 0) {
      signal?.throwIfAborted();
      yield await inFlight.shift()!;
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}
