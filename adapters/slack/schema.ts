import { z } from 'zod';

/**
 * The Events API payload at the boundary: zod schemas of exactly the fields the adapter reads,
 * so a signed but malformed body is refused with a reason before anything deeper sees it.
 * Objects are loose: fields we do not read (blocks, client_msg_id, …) pass through untouched and
 * unjudged, and stay in the message's `raw`.
 */

/** A Slack timestamp such as `1700000100.000200` (seconds, a dot, microseconds). */
const slackTs = z.string().regex(/^\d{1,12}(\.\d{1,9})?$/, 'not a Slack timestamp');

const file = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
});

/** `message` and `app_mention`: the fields that judge and normalise a post. */
const messageShape = {
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  user_team: z.string().optional(),
  team: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: slackTs.optional(),
  thread_ts: slackTs.optional(),
  event_ts: z.string().optional(),
  files: z.array(file).optional(),
};
const messageEvent = z.looseObject(messageShape);

const appUninstalled = z.looseObject({ type: z.literal('app_uninstalled'), event_ts: z.string().optional() });

const tokensShape = {
  type: z.literal('tokens_revoked'),
  event_ts: z.string().optional(),
  tokens: z.object({ oauth: z.array(z.string()).optional(), bot: z.array(z.string()).optional() }),
};
const tokensRevoked = z.looseObject(tokensShape);

const reactionShape = {
  type: z.literal('reaction_added'),
  user: z.string(),
  reaction: z.string().min(1),
  item_user: z.string().optional(),
  item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: slackTs.optional(), file: z.string().optional() }),
  event_ts: z.string().optional(),
};
const reactionAdded = z.looseObject(reactionShape);

const memberJoinedShape = {
  type: z.literal('member_joined_channel'),
  user: z.string(),
  channel: z.string(),
  channel_type: z.string().optional(),
  team: z.string().optional(),
  inviter: z.string().optional(),
  event_ts: z.string().optional(),
};
const memberJoined = z.looseObject(memberJoinedShape);

/** Any other event type: only its type and time are read (it is ignored as unsupported). */
const otherEvent = z.object({ type: z.string(), event_ts: z.string().optional() });

const envelopeShape = {
  type: z.literal('event_callback'),
  team_id: z.string().optional(),
  enterprise_id: z.string().nullish(),
  event_id: z.string().optional(),
  event_time: z.number().optional(),
  authorizations: z.array(z.looseObject({ team_id: z.string().nullish() })).optional(),
};
const envelope = z.looseObject({ ...envelopeShape, event: z.looseObject({ type: z.string() }) });

const urlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string() });

// Types name the checked fields only; at run time the unread ones are still there (loose objects).
type Fields<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;

/** A post event (`message` / `app_mention`) with its fields checked. */
export type SlackMessageEvent = Fields<typeof messageShape>;

/** A `tokens_revoked` event with its token lists checked. */
export type SlackTokensRevoked = Fields<typeof tokensShape>;

/** A `reaction_added` event: who reacted (`user`), with what (`reaction`, the emoji's name), to which item. */
export type SlackReactionAdded = Fields<typeof reactionShape>;

/** A `member_joined_channel` event: who joined which channel (`channel_type` C public, G private), invited by whom. */
export type SlackMemberJoined = Fields<typeof memberJoinedShape>;

/** A validated Slack event: a post, a lifecycle event, a reaction or a join, or another type (only `type` read). */
export type SlackEvent = SlackMessageEvent | SlackTokensRevoked | SlackReactionAdded | SlackMemberJoined | z.infer<typeof appUninstalled> | z.infer<typeof otherEvent>;

/** A validated `event_callback` envelope. */
export type SlackEnvelope = Fields<typeof envelopeShape> & { event: SlackEvent };

/** What a request body is: a URL challenge, an event callback, another type to acknowledge, or garbage with the reason. */
export type ParsedBody =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'event'; envelope: SlackEnvelope }
  | { kind: 'ignored'; reason: string };

/** The first problem zod found, as `path: message` (the path names the field, e.g. `event.text`). */
function reasonOf(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return `${path || 'body'}: ${issue.message}`;
}

/** The schema an event of this type must meet. */
function eventSchema(type: string) {
  if (type === 'message' || type === 'app_mention') return messageEvent;
  if (type === 'app_uninstalled') return appUninstalled;
  if (type === 'tokens_revoked') return tokensRevoked;
  if (type === 'reaction_added') return reactionAdded;
  if (type === 'member_joined_channel') return memberJoined;
  return otherEvent;
}

/**
 * Validates a parsed Events API body. `url_verification` needs a string challenge; an
 * `event_callback` needs every field we read to have its documented type, the event's fields
 * judged by the event's type. Other top-level types are acknowledged as ignored. Never throws.
 */
export function parseSlackBody(body: unknown): ParsedBody {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'ignored', reason: 'body: not a JSON object' };
  const type = (body as { type?: unknown }).type;
  if (type === 'url_verification') {
    const r = urlVerification.safeParse(body);
    return r.success ? { kind: 'challenge', challenge: r.data.challenge } : { kind: 'ignored', reason: reasonOf(r.error) };
  }
  if (type !== 'event_callback') return { kind: 'ignored', reason: `type: ${typeof type === 'string' ? type : 'missing'} is not an event callback` };
  const outer = envelope.safeParse(body);
  if (!outer.success) return { kind: 'ignored', reason: reasonOf(outer.error) };
  const inner = eventSchema(outer.data.event.type).safeParse(outer.data.event);
  if (!inner.success) return { kind: 'ignored', reason: reasonOf(inner.error, 'event') };
  return { kind: 'event', envelope: { ...outer.data, event: inner.data } as SlackEnvelope };
}

/** Narrows an event to `tokens_revoked`. */
export function isTokensRevoked(e: SlackEvent): e is SlackTokensRevoked {
  return e.type === 'tokens_revoked';
}

/** Narrows an event to a post (`message` / `app_mention`). */
export function isMessageEvent(e: SlackEvent): e is SlackMessageEvent {
  return e.type === 'message' || e.type === 'app_mention';
}

/** Narrows an event to `reaction_added`. */
export function isReactionAdded(e: SlackEvent): e is SlackReactionAdded {
  return e.type === 'reaction_added';
}

/** Narrows an event to `member_joined_channel`. */
export function isMemberJoined(e: SlackEvent): e is SlackMemberJoined {
  return e.type === 'member_joined_channel';
}
