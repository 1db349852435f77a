/**
 * A file that came with a message; `id` is the platform's handle for it. `voice` is a recorded voice
 * message, `video_note` a round video message, `animation` a GIF (or a silent looping video).
 */
export interface Attachment {
  kind: 'photo' | 'document' | 'audio' | 'video' | 'file' | 'voice' | 'video_note' | 'sticker' | 'animation';
  id: string;
  name?: string;
  mimeType?: string;
  /** Bytes. */
  size?: number;
  /** Length of audio or video, in seconds. */
  durationSeconds?: number;
  /** The emoji a sticker stands for. */
  emoji?: string;
}

/**
 * Something shared in a message that is neither text nor a file: a point on the map, a place, or a
 * person's contact card. Coordinates are WGS 84 degrees.
 */
export type MessagePart =
  | {
      kind: 'location';
      latitude: number;
      longitude: number;
      /** Radius of uncertainty, in metres. */
      accuracyMeters?: number;
      /** For a live location: how long it keeps updating, in seconds. */
      livePeriodSeconds?: number;
    }
  | { kind: 'venue'; latitude: number; longitude: number; title: string; address: string }
  | {
      kind: 'contact';
      phoneNumber: string;
      firstName: string;
      lastName?: string;
      /** The contact's user id on the platform, when it has an account there. */
      userId?: string;
    };

/** Who wrote a message, as the platform knows them. */
export interface Sender {
  id: string;
  name?: string;
  username?: string;
  isBot?: boolean;
}

/** A message a person sent, normalized. Platform data stays in `raw` and the opaque keys. */
export interface InboundMessage {
  channel: string;
  /** The integration it came in on; replies go out through the same one. Null for the console. */
  integrationId: string | null;
  /** The adapter's opaque conversation key (chat id, chat + topic, channel + thread_ts…). */
  threadKey: string;
  /** The platform's id of this message. */
  messageId: string;
  sender: Sender;
  /**
   * What the person wrote (or the caption). A message without text carries a short rendering of its
   * content instead, e.g. `[voice message, 3 s]` or `[location 52.52, 13.405]`, so it is never blank.
   */
  text: string;
  attachments: Attachment[];
  /** Places and contacts shared in the message, when there are any. */
  parts?: MessagePart[];
  /** The message this one answers, when the platform says so. */
  replyTo?: { messageId: string; text?: string };
  edited?: boolean;
  /** A direct message to the bot (not a group or channel). */
  isDirect: boolean;
  /**
   * Keys that may name a claimed notification this message answers (Telegram: chat + replied-to
   * message id; Slack: channel + thread_ts). Matched against {@link SendResult.claimKeys}.
   */
  claimKeys?: string[];
  /** Where a reply must go; opaque outside the adapter. */
  replyTarget: Record<string, unknown>;
  /** Epoch ms the platform gives for the message. */
  sentAt: number;
  raw?: unknown;
}

/** A message to send. `target` is the adapter's own address (from a reply target or a notify resolution). */
export interface OutboundMessage {
  text: string;
  /** How `text` is written; adapters convert Markdown to their platform's format. Default `markdown`. */
  format?: 'markdown' | 'plain';
  subject?: string;
  target: Record<string, unknown>;
  /** The platform message this answers, when it should be threaded under it. */
  replyToMessageId?: string;
  /** Extra data for the receiver (webhook bodies, notification ids). */
  data?: Record<string, unknown>;
  /**
   * The streamed message this reply finishes: the handle a {@link StreamSink} gave (Slack: its ts).
   * The adapter completes that message with the text instead of posting a new one.
   */
  stream?: Record<string, unknown>;
}

/** What the platform said about a sent message. */
export interface SendResult {
  /** Platform ids of every message sent (a long text may become several). */
  messageIds: string[];
  /** Keys a reply to this message will carry in {@link InboundMessage.claimKeys} (for thread claims). */
  claimKeys?: string[];
  raw?: unknown;
}

/** What an adapter's platform supports; the bus and the API read these. */
export interface ChannelCapabilities {
  /**
   * `chat` (people write in), `notification` (outbound only), `events` (inbound events for triggers:
   * hooks), `data` (a data source agents read through tools: Teller).
   */
  category: 'chat' | 'notification' | 'local' | 'events' | 'data';
  /** Accepts inbound messages. */
  inbound: boolean;
  /** Longest text one platform message may carry, in characters; `send` splits longer texts itself. */
  maxTextLength: number;
  /** Supports threads inside a conversation. */
  threads: boolean;
  /** Several integrations of this type per user (Telegram: one per bot). */
  multiRow: boolean;
  /** How a user connects it: `token`, `oauth`, `api_key`, `url`, `none`. */
  authMethods: string[];
  /**
   * Delays (ms) before attempts 2, 3, …; when absent the bus uses exponential backoff with jitter.
   * The list's length + 1 is the number of attempts.
   */
  retrySchedule?: readonly number[];
}
