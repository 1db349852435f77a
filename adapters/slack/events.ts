import type { AdapterServices, InboundHttpRequest, InboundHttpResponse, InboundRoute } from '../../src/channel/index.ts';
import { slackConfig } from './config.ts';
import { eventKey } from './parse.ts';
import { parseSlackBody } from './schema.ts';
import { verifySlackSignature } from './verify.ts';

/** Largest Events API body we accept: 1 MiB. */
const MAX_EVENT_BODY = 1024 * 1024;

/** Options of {@link eventsRoute}. */
export interface EventsRouteOptions {
  /** Our clock (epoch ms), for tests. */
  now?: () => number;
}

/**
 * `POST /api/slack/events`: verifies the signature (401 and nothing stored when it fails), answers
 * `url_verification`, acknowledges a signed body whose fields have the wrong types with 200 and
 * the reason (logged, not stored: Slack would only retry a non-2xx), and commits every event callback to the inbox before answering 200 — fast,
 * well within Slack's 3 seconds; the agent turn happens later from the inbox. Message-like events
 * are keyed on channel + ts, so Slack's retries (`x-slack-retry-num`) and a post delivered as both
 * `message` and `app_mention` land on one row. Events of unknown teams are stored too (and ignored
 * when interpreted), so Slack stops retrying them.
 */
export function eventsRoute(services: AdapterServices, o: EventsRouteOptions = {}): InboundRoute {
  return {
    method: 'post',
    path: '/api/slack/events',
    maxBodyBytes: MAX_EVENT_BODY,
    async handle(req: InboundHttpRequest): Promise<InboundHttpResponse> {
      const secret = slackConfig.of(services).signingSecret;
      if (!secret) return { status: 503, body: { error: { code: 'slack_not_configured', message: 'SLACK_SIGNING_SECRET is not set' } } };
      const check = verifySlackSignature({ signingSecret: secret, rawBody: req.rawBody, headers: req.headers, nowMs: o.now?.() });
      if (!check.ok) {
        services.log.info({ channel: 'slack', reason: check.reason }, 'refused an unsigned or stale Slack request');
        return { status: 401, body: { error: { code: 'invalid_signature', message: `Slack signature refused: ${check.reason}` } } };
      }
      let json: unknown;
      try {
        json = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        return { status: 400, body: { error: { code: 'malformed_json', message: 'The Events API sends JSON' } } };
      }
      const parsed = parseSlackBody(json);
      if (parsed.kind === 'challenge') return { status: 200, body: { challenge: parsed.challenge } };
      if (parsed.kind === 'ignored') {
        // Signed by Slack but not what we can read: acknowledged (a non-2xx only makes Slack retry it), never stored.
        services.log.info({ channel: 'slack', reason: parsed.reason }, 'ignored a signed Slack request');
        return { status: 200, body: { ok: true, ignored: parsed.reason } };
      }
      const body = parsed.envelope;
      const key = eventKey(body);
      const [result] = await services.inbox.append([
        { channel: 'slack', source: key.source, externalEventId: key.eventId, orderingKey: key.orderingKey, payload: json },
      ]);
      if (result.duplicate) services.log.debug({ channel: 'slack', event: body.event_id, retry: req.headers['x-slack-retry-num'] }, 'duplicate Slack event');
      return { status: 200, body: { ok: true } };
    },
  };
}
