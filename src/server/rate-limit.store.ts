/**
 * A store for @fastify/rate-limit that keeps its counters in the database (RateLimitRepository), so a
 * limit holds across every `rapport serve` process on one PostgreSQL: ten sign-in attempts a minute
 * mean ten, not ten per process. Fixed windows, like the plugin's own stores; the options this project
 * does not use (continueExceeding, exponentialBackoff) are not supported.
 */
import type { FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import { storable } from "../core/sanitize.ts";
import type { Database } from "../store/db.ts";
import { RateLimitRepository } from "../store/rate-limit.repository.ts";

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Sweep ended windows after about this many counted requests (per process). */
const SWEEP_EVERY = 1000;

/**
 * Keys come from the request (a path parameter, an address): PostgreSQL cannot hold U+0000, so it is
 * replaced (with `storable`, as ingest does), or the limit itself would fail with a 500 before the route
 * could answer 400.
 */
const storedKey = (prefix: string, key: string) => storable(prefix + key);

/** The store class the plugin instantiates (its `store` option), bound to `database`. */
export function databaseRateLimitStore(database: Database): FastifyRateLimitStoreCtor {
  const repo = new RateLimitRepository(database);
  let counted = 0;
  class DatabaseRateLimitStore {
    /** The plugin passes its global options first; children get their route's prefix. */
    constructor(
      _options?: unknown,
      private readonly prefix = "",
    ) {}

    incr(key: string, callback: Callback, timeWindow: number): void {
      repo.hit(storedKey(this.prefix, key), timeWindow).then(
        (hit) => {
          if (++counted % SWEEP_EVERY === 0) repo.sweep().catch(() => {});
          callback(null, { current: hit.count, ttl: hit.ttlMs });
        },
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: Callback): void {
      repo.peek(storedKey(this.prefix, key)).then(
        (hit) => callback(null, { current: hit.count, ttl: hit.ttlMs }),
        (error: Error) => callback(error),
      );
    }

    /** One store per route, like the plugin's own: the route's method and URL prefix its keys. */
    child(options: { routeInfo: { method: string | string[]; url: string } }): DatabaseRateLimitStore {
      return new DatabaseRateLimitStore(undefined, `${options.routeInfo.method} ${options.routeInfo.url} `);
    }
  }
  // The plugin's types describe child()'s argument as the route's options; at run time it is the merged
  // limit options with the route under `routeInfo` (what its own Redis store reads too).
  return DatabaseRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
