import { readFileSync } from 'node:fs';
import http from 'node:http';
import { percentile } from '../stats.ts';

/** Wall-clock time in ms with sub-ms precision, comparable across processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();

/** One load run: which updates, where to, how hard. */
export interface LoadPlan {
  /** Webhook URLs; update i goes to `targets[i % targets.length]` (a round-robin splitter). */
  targets: string[];
  /** The `X-Telegram-Bot-Api-Secret-Token` header. */
  secret: string;
  /** update_id of the first update (each run needs fresh ids: receivers dedupe on them). */
  firstUpdateId: number;
  n: number;
  chats: number;
  concurrency: number;
}

/** What the load generator saw. */
export interface LoadResult {
  /** Webhook answer time of each update (ms). */
  latencies: number[];
  /** Wall-clock time each update was sent, by index. */
  sentAt: number[];
  non200: number;
  startedAt: number;
}

/** A private-chat text update as Telegram sends it; index i goes to chat i mod `chats`, text `bench <i>`. */
export function updateBody(updateId: number, i: number, chats: number): string {
  const chat = 8_000_000 + (i % chats);
  return JSON.stringify({
    update_id: updateId,
    message: { message_id: updateId, from: { id: chat, is_bot: false, first_name: 'B', language_code: 'en' }, chat: { id: chat, first_name: 'B', type: 'private' }, date: 1763900000, text: `bench ${i}` },
  });
}

function post(agent: http.Agent, url: URL, secret: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-telegram-bot-api-secret-token': secret } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts `plan.n` updates with `plan.concurrency` in flight over keep-alive connections. */
export async function postUpdates(plan: LoadPlan): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const urls = plan.targets.map((t) => new URL(t));
  const bodies = Array.from({ length: plan.n }, (_, i) => updateBody(plan.firstUpdateId + i, i, plan.chats));
  const latencies: number[] = [];
  const sentAt: number[] = new Array(plan.n);
  let non200 = 0;
  let next = 0;
  const startedAt = wallNow();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.n) {
        const i = next++;
        const t0 = wallNow();
        sentAt[i] = t0;
        const status = await post(agent, urls[i % urls.length], plan.secret, bodies[i]);
        latencies.push(wallNow() - t0);
        if (status !== 200) non200++;
      }
    }),
  );
  agent.destroy();
  return { latencies, sentAt, non200, startedAt };
}

/**
 * CPU time (user + system, ms) used so far by processes, from /proc (Linux; NaN elsewhere). Robust
 * on a shared machine where wall-clock rates are noisy. Resolution: one clock tick (10 ms).
 */
export function cpuMs(pids: number[]): number {
  try {
    return pids.reduce((sum, pid) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    }, 0);
  } catch {
    return NaN;
  }
}

/** The fake Bot API's answer to `/_wait`. */
export interface Arrivals {
  count: number;
  arrivals: Record<string, number>;
  other: Record<string, number>;
}

/** Waits (event-driven, at the fake) until `count` replies arrived, or none arrived for `idleMs`. */
export async function waitForReplies(fakeUrl: string, count: number, idleMs: number): Promise<Arrivals> {
  return (await fetch(`${fakeUrl}/_wait?count=${count}&idle=${idleMs}`)).json() as Promise<Arrivals>;
}

/** The figures of one measured run. */
export interface RunFigures {
  replies: number;
  repliesPerSec: number;
  webhookP50: number;
  webhookP99: number;
  e2eP50: number;
  e2eP99: number;
  non200: number;
  /** CPU time of the system under test per reply (ms). */
  cpuMsPerReply: number;
}

/** Replies/s from the first update sent to the last reply seen, and latency percentiles. */
export function figures(load: LoadResult, seen: Arrivals, cpu: number): RunFigures {
  const e2e: number[] = [];
  let last = load.startedAt;
  for (const [i, at] of Object.entries(seen.arrivals)) {
    e2e.push(at - load.sentAt[Number(i)]);
    if (at > last) last = at;
  }
  return {
    replies: seen.count,
    repliesPerSec: seen.count / ((last - load.startedAt) / 1000),
    webhookP50: percentile(load.latencies, 50),
    webhookP99: percentile(load.latencies, 99),
    e2eP50: percentile(e2e, 50),
    e2eP99: percentile(e2e, 99),
    non200: load.non200,
    cpuMsPerReply: cpu / seen.count,
  };
}
