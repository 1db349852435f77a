/**
 * Load for crash tests, sent the way the platforms and agents send it: each Telegram chat posts its
 * messages one after another to the bot's webhook (the next only after the previous got its 200, as
 * Telegram does per chat), and notify callers post with an idempotency key. Whatever is not
 * acknowledged (connection refused or reset, 5xx) is retried — on the next live hub, like a load
 * balancer would — until it is, or until the deadline.
 */
import { dm } from '../telegram/env.ts';

/** One Telegram message the test sent. */
export interface SentMessage {
  chatId: number;
  /** Position in its chat, from 0. */
  index: number;
  updateId: number;
  messageId: number;
  text: string;
  /** The update as posted (Bot API shape). */
  update: unknown;
  /** Epoch ms of the 200; undefined while not acknowledged. */
  ackedAt?: number;
}

/** One notify call the test made. */
export interface SentNotify {
  key: string;
  text: string;
  notificationId?: string;
  acceptedAt?: number;
}

/** Options of {@link startTraffic}. */
export interface TrafficOptions {
  /** The base URLs of the hubs alive now; called before every attempt. */
  targets: () => string[];
  integrationId: string;
  webhookSecret: string;
  /** Profile token for notify. */
  token: string;
  /** Default 50. */
  chats?: number;
  /** Messages per chat. Default 20. */
  perChat?: number;
  /** Pause between two messages of one chat (ms). Default 15. */
  gapMs?: number;
  /** Notify calls in all. Default 200. */
  notifies?: number;
  /** Notify callers at once. Default 4. */
  notifyConcurrency?: number;
  /** Pause between two notify calls of one caller (ms). Default 20. */
  notifyGapMs?: number;
  /** Epoch ms after which nothing is retried. */
  deadline: number;
}

/** Running load. */
export interface Traffic {
  messages: SentMessage[];
  /** The messages of each chat, in the order they were sent. */
  byChat: Map<number, SentMessage[]>;
  notifies: SentNotify[];
  /** Posts given up on: a 4xx, or the deadline. */
  failures: string[];
  /** Resolves when every post was acknowledged or given up on. */
  done: Promise<void>;
  /** True once every post was acknowledged (none given up). */
  complete(): boolean;
  /** Gives up on whatever is still unacknowledged; `done` resolves soon after. */
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** First chat id; chats are private chats of users FIRST_CHAT_ID + n. */
export const FIRST_CHAT_ID = 5_100_000;

/** Starts the load; it runs by itself until `done`. */
export function startTraffic(o: TrafficOptions): Traffic {
  const chats = o.chats ?? 50;
  const perChat = o.perChat ?? 20;
  let rr = 0;
  let stopped = false;
  let finished = false;
  const failures: string[] = [];
  /** POSTs until a 2xx; returns the parsed body, or undefined when given up. */
  const post = async (what: string, path: string, headers: Record<string, string>, body: string): Promise<any> => {
    for (let attempt = 1; ; attempt++) {
      if (stopped || Date.now() > o.deadline) {
        failures.push(`${what}: not acknowledged by the end after ${attempt - 1} attempts`);
        return undefined;
      }
      const live = o.targets();
      if (live.length === 0) {
        await sleep(50);
        continue;
      }
      const url = live[rr++ % live.length];
      try {
        const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(5000) });
        const text = await res.text();
        if (res.ok) return text ? JSON.parse(text) : {};
        if (res.status < 500 && res.status !== 429) {
          failures.push(`${what}: answered ${res.status} ${text.slice(0, 200)}`);
          return undefined;
        }
      } catch {
        // refused, reset or timed out: the hub died or is restarting; try again
      }
      await sleep(50);
    }
  };

  const messages: SentMessage[] = [];
  const byChat = new Map<number, SentMessage[]>();
  for (let c = 0; c < chats; c++) {
    const chatId = FIRST_CHAT_ID + c;
    const list: SentMessage[] = [];
    for (let i = 0; i < perChat; i++) {
      const text = `chat ${c} message ${i}`;
      const u = dm(chatId, text);
      const m: SentMessage = { chatId, index: i, updateId: u.update_id, messageId: u.message.message_id, text, update: u };
      list.push(m);
      messages.push(m);
    }
    byChat.set(chatId, list);
  }
  const chatRuns = [...byChat.values()].map(async (list, c) => {
    await sleep((c * 7) % 50); // chats start spread out
    for (const m of list) {
      const r = await post(`Telegram update ${m.updateId} (chat ${m.chatId} #${m.index})`, `/api/telegram/${o.integrationId}/webhook`, { 'x-telegram-bot-api-secret-token': o.webhookSecret }, JSON.stringify(m.update));
      if (r === undefined) return; // the rest of this chat would be out of order anyway
      m.ackedAt = Date.now();
      await sleep(o.gapMs ?? 15);
    }
  });

  const notifies: SentNotify[] = Array.from({ length: o.notifies ?? 200 }, (_, k) => ({ key: `crash-notify-${k}`, text: `notify ${k}` }));
  let next = 0;
  const notifyRuns = Array.from({ length: o.notifyConcurrency ?? 4 }, async () => {
    while (next < notifies.length) {
      const n = notifies[next++];
      const r = await post(`notify ${n.key}`, '/v1/notify', { authorization: `Bearer ${o.token}` }, JSON.stringify({ channel: 'webhook', message: n.text, idempotency_key: n.key }));
      if (r) {
        n.notificationId = r.notification?.id;
        n.acceptedAt = Date.now();
      }
      await sleep(o.notifyGapMs ?? 20);
    }
  });
  const done = Promise.all([...chatRuns, ...notifyRuns]).then(() => {
    finished = true;
  });
  return {
    messages,
    byChat,
    notifies,
    failures,
    done,
    complete: () => finished && failures.length === 0,
    stop: () => {
      stopped = true;
    },
  };
}
