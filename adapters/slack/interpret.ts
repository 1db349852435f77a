import type { AdapterServices, InboundDecision, InboxEventView, IntegrationInfo } from '../../src/channel/index.ts';
import { judgeMessage, teamOf, toInbound, type SlackEnvelope } from './parse.ts';
import { chatEventDecision } from './chat-events.ts';
import { isMemberJoined, isMessageEvent, isReactionAdded, isTokensRevoked, parseSlackBody } from './schema.ts';
import { policyOf, slackConfig } from './settings.ts';

/** The identity-link key of a Slack user: `<team>:<user>`. */
export const linkKey = (team: string, user: string) => `${team}:${user}`;

/**
 * Turns a committed Slack event into a decision: lifecycle events (`app_uninstalled`,
 * `tokens_revoked`) mark the workspace's integrations unhealthy and drop their tokens; reactions
 * and joins become events for triggers; posts are
 * judged (bots, edits and channel chatter ignored), then checked against the integration's policy
 * (`installer`: only the linked installing user; `workspace`: any member of the team) — policy
 * drops are logged with their reason.
 */
export function createInterpreter(services: AdapterServices, inBotThread: (key: string) => boolean) {
  async function installationsFor(body: SlackEnvelope): Promise<IntegrationInfo[]> {
    const found = await services.integrations.byExternalId('slack', teamOf(body));
    if (found.length || !body.enterprise_id) return found;
    return services.integrations.byExternalId('slack', body.enterprise_id);
  }

  async function linkedUser(integration: IntegrationInfo, team: string, user: string): Promise<boolean> {
    if (slackConfig(integration).installer_user_id === user) return true;
    const link = await services.links.find('slack', integration.id, linkKey(team, user));
    return link?.user_id === integration.userId;
  }

  /** Of several hub users who installed one workspace, the one whose linked Slack user wrote; else the first open to the workspace; else the first. */
  async function pick(rows: IntegrationInfo[], team: string, user: string): Promise<IntegrationInfo> {
    for (const r of rows) if (await linkedUser(r, team, user)) return r;
    return rows.find((r) => policyOf(r) === 'workspace') ?? rows[0];
  }

  async function lifecycle(rows: IntegrationInfo[], body: SlackEnvelope): Promise<InboundDecision> {
    const e = body.event;
    const reason = e.type === 'app_uninstalled' ? 'the app was uninstalled from the Slack workspace' : 'the Slack bot token was revoked';
    // tokens_revoked without bot ids revoked only user tokens, which we do not hold.
    const revokedBots = isTokensRevoked(e) ? (e.tokens.bot ?? []) : [];
    const hit = e.type === 'tokens_revoked' ? rows.filter((r) => revokedBots.includes(String(slackConfig(r).bot_user_id))) : rows;
    if (hit.length === 0) return { kind: 'ignored', reason: 'tokens_revoked for tokens we do not hold' };
    for (const r of hit) {
      await services.integrations.setSecrets(r.id, null);
      await services.integrations.setStatus(r.id, 'unhealthy', reason);
      services.log.warn({ channel: 'slack', integration: r.id, reason }, 'Slack integration turned unhealthy');
    }
    return { kind: 'handled', note: `${reason}; ${hit.length} integration(s) marked unhealthy`, userId: hit[0].userId, integrationId: hit[0].id, replies: [] };
  }

  return async function interpret(event: InboxEventView): Promise<InboundDecision> {
    // Validated again: rows stored before the route validated, or by an older version, meet the same schema.
    const parsed = parseSlackBody(event.payload);
    if (parsed.kind !== 'event') return { kind: 'ignored', reason: parsed.kind === 'ignored' ? `not a Slack event callback (${parsed.reason})` : 'not a Slack event callback' };
    const body = parsed.envelope;
    const team = teamOf(body);
    const rows = await installationsFor(body);
    if (rows.length === 0) return { kind: 'ignored', reason: `no Slack installation for team ${team}` };
    if (body.event.type === 'app_uninstalled' || body.event.type === 'tokens_revoked') return lifecycle(rows, body);
    // Reactions and joins are not turns: they only fire triggers (reaction.added, member.joined).
    if (isReactionAdded(body.event) || isMemberJoined(body.event)) return chatEventDecision(event.id, rows, body, body.event);

    const e = body.event;
    const user = isMessageEvent(e) ? e.user : undefined;
    const integration = user ? await pick(rows, team, user) : rows[0];
    const cfg = slackConfig(integration);
    // A thread the bot is in: seen since start, or durably known (a hub thread, a claimed notification).
    const key = isMessageEvent(e) && e.channel && e.thread_ts ? `${e.channel}:${e.thread_ts}` : undefined;
    const inThread = key !== undefined && (inBotThread(key) || (await services.conversations.known('slack', integration.id, key)));
    const verdict = judgeMessage(e, cfg.bot_user_id, () => inThread);
    if ('skip' in verdict) return { kind: 'ignored', reason: verdict.skip, userId: integration.userId, integrationId: integration.id };
    const post = verdict.post;
    const base = { userId: integration.userId, integrationId: integration.id, policy: true } as const;
    if (integration.status === 'unhealthy') return { kind: 'ignored', ...base, reason: `integration is unhealthy: ${integration.statusReason ?? 'unknown reason'}` };
    if (policyOf(integration) === 'installer') {
      if (!(await linkedUser(integration, team, post.user))) {
        return { kind: 'ignored', ...base, reason: `Slack user ${post.user} is not the linked installer (policy "installer")` };
      }
    } else if (post.user_team && post.user_team !== team && post.user_team !== cfg.team_id) {
      return { kind: 'ignored', ...base, reason: `Slack user ${post.user} belongs to another workspace (${post.user_team})` };
    }
    return { kind: 'message', message: toInbound(post, team, integration.id, cfg.bot_user_id), userId: integration.userId };
  };
}
