import type { ChannelAdapter, InboundRoute } from '../../channel/index.ts';

/** One adapter route with its path compiled once. */
export interface CompiledRoute {
  readonly channel: string;
  readonly route: InboundRoute;
  /** Upper-case method, e.g. `POST`. */
  readonly method: string;
  /** Whether the path lies under `/api` (those requests are timed by channel). */
  readonly underApi: boolean;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
}

/** A path match: the route and its (still percent-encoded) `:param` values. */
export interface RouteHit {
  readonly compiled: CompiledRoute;
  readonly rawParams: readonly string[];
}

/** Literal path characters we compile; anything else (wildcards, groups) is refused at start-up. */
const LITERAL = /^[\w.~-]*$/;

/**
 * Compiles an express-style path (`/api/telegram/:integrationId/webhook`) the way express 5 matches
 * it: literal segments case-insensitively, each `:param` one non-empty segment, an optional trailing
 * slash.
 */
export function compilePath(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const parts = path.split('/').slice(1).map((segment) => {
    if (segment.startsWith(':') && /^:[A-Za-z_]\w*$/.test(segment)) {
      paramNames.push(segment.slice(1));
      return '([^/]+)';
    }
    if (!LITERAL.test(segment)) throw new Error(`inbound route path ${path}: only literal segments and :params are supported`);
    return segment.replaceAll('.', '\\.');
  });
  if (!path.startsWith('/')) throw new Error(`inbound route path ${path} must start with /`);
  return { pattern: new RegExp(`^/${parts.join('/')}/?$`, 'i'), paramNames };
}

/**
 * Every adapter route in registry order, compiled. `find` answers the first route of a method whose
 * path matches (`HEAD` also matches `GET` routes, as in express); `methodsAt` lists the methods of
 * every route at a path (for `OPTIONS`).
 */
export class RouteTable {
  private readonly routes: CompiledRoute[] = [];

  constructor(adapters: Iterable<ChannelAdapter>) {
    for (const adapter of adapters) {
      for (const route of adapter.routes ?? []) {
        const { pattern, paramNames } = compilePath(route.path);
        this.routes.push({ channel: adapter.name, route, method: route.method.toUpperCase(), underApi: /^\/api(\/|$)/i.test(route.path), pattern, paramNames });
      }
    }
  }

  /** The first route serving `method` at `path` (no query string), or undefined. */
  find(method: string, path: string): RouteHit | undefined {
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const compiled of this.routes) {
      if (compiled.method !== wanted) continue;
      const m = compiled.pattern.exec(path);
      if (m) return { compiled, rawParams: m.slice(1) };
    }
    return undefined;
  }

  /** The routes whose path matches `path`, whatever their method. */
  allAt(path: string): CompiledRoute[] {
    return this.routes.filter((c) => c.pattern.test(path));
  }
}
