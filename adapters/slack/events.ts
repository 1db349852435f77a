import type { AdapterServices, InboundHttpRequest, InboundHttpResponse, InboundRoute } from '../../src/channel/index.ts';
import { slackConfig } from './config.ts';
import { eventKey, type SlackEnvelope } from './parse.ts';
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
 * `url_verification`, and commits every event callback to the inbox before answering 200 — fast,
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
      let body: SlackEnvelope;
      try {
        body = JSON.parse(req.rawBody.toString('utf8')) as SlackEnvelope;
      } catch {
        return { status: 400, body: { error: { code: 'malformed_json', message: 'The Events API sends JSON' } } };
      }
      if (body?.type === 'url_verification' && typeof body.challenge === 'string') return { status: 200, body: { challenge: body.challenge } };
      if (body?.type !== 'event_callback' || !body.event) return { status: 200, body: { ok: true, ignored: String(body?.type ?? 'unknown') } };
      const key = eventKey(body);
      const [result] = await services.inbox.append([
        { channel: 'slack', source: key.source, externalEventId: key.eventId, orderingKey: key.orderingKey, payload: body },
      ]);
      if (result.duplicate) services.log.debug({ channel: 'slack', event: body.event_id, retry: req.headers['x-slack-retry-num'] }, 'duplicate Slack event');
      return { status: 200, body: { ok: true } };
    },
  };
}
