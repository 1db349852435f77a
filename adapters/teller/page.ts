import type { InboundRoute } from '../../src/channel/index.ts';

/** Where Teller Connect opens now: the dashboard's Integrations page, its Data sources section. */
export const DASHBOARD_DATA_SOURCES = '/ui/integrations#data-sources';

/**
 * `GET /teller/connect`, the former stand-alone Connect page: a 302 to the dashboard's Data sources
 * section, where a signed-in person opens Teller Connect (the dashboard signs in first if needed).
 */
export function connectPage(): InboundRoute {
  return {
    method: 'get',
    path: '/teller/connect',
    async handle() {
      return { status: 302, contentType: 'text/plain', body: `Teller Connect moved to the dashboard: ${DASHBOARD_DATA_SOURCES}`, headers: { location: DASHBOARD_DATA_SOURCES, 'cache-control': 'no-store' } };
    },
  };
}
