import { sql, type Kysely, type Selectable } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import { CompiledStatement, slotsOf } from './compiled-statement.ts';
import { hasKeyPrefix, likePrefix } from './key-prefix.ts';
import type { ReadCache } from './read-cache.ts';
import type { Database, ThreadsTable } from './schema.ts';

/** A thread row. */
export type ThreadRow = Selectable<ThreadsTable>;

/** What identifies a thread and whom it belongs to (see {@link ThreadsRepo.upsert}). */
export interface ThreadInput {
  userId: string;
  profileId: string | null;
  channel: string;
  integrationId: string | null;
  scope: string;
  externalKey: string;
  replyTarget?: Record<string, unknown>;
}

function threadKeyOf(input: ThreadInput): string {
  return `${input.channel}|${input.scope}|${input.externalKey}`;
}

function differs(row: ThreadRow, input: ThreadInput): boolean {
  return row.profile_id !== input.profileId || row.user_id !== input.userId || row.reply_target !== JSON.stringify(input.replyTarget ?? {});
}

/** How precisely `last_message_at` follows a thread's activity (ms). */
const TOUCH_GRAIN_MS = 1000;

/** The parameters of {@link TOUCH_THREAD}. */
export interface TouchParams {
  id: string;
  /** The activity time (epoch ms). */
  at: number;
  /** Rows touched before this time are touched again: `at` less the grain. */
  before: number;
}

/** The parameters that touch thread `id` at `at` (see {@link ThreadsRepo.touch}). */
export function touchParams(id: string, at: number): TouchParams {
  return { id, at, before: at - TOUCH_GRAIN_MS };
}

/** The statement of {@link ThreadsRepo.touch}, built from placeholders or values. */
export function touchQuery(db: Kysely<Database>, p: TouchParams) {
  return db.updateTable('threads').set({ last_message_at: p.at }).where('id', '=', p.id).where('last_message_at', '<', p.before);
}

/** Every field of {@link TouchParams}. */
const TOUCH_FIELDS = { id: true, at: true, before: true } as const satisfies Record<keyof TouchParams, true>;

/** {@link touchQuery}, compiled once. */
export const TOUCH_THREAD = new CompiledStatement<TouchParams>((db, $) => touchQuery(db, slotsOf((f) => $(f), TOUCH_FIELDS)));

/** Conversations. A thread is found by its key: channel + scope + the adapter's opaque key. */
export class ThreadsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    /** Serves {@link current} outside transactions (its `last_message_at` may lag: activity stamps do not refresh it). */
    private readonly cache?: ReadCache,
  ) {}

  /**
   * The thread with this key when it exists and already has this user, profile and reply target:
   * a read only, so a caller can skip {@link upsert} (a write, best inside a shared transaction).
   * Served from the read cache: every field is current except `last_message_at`, which may lag.
   */
  async current(input: ThreadInput): Promise<ThreadRow | undefined> {
    const key = threadKeyOf(input);
    const existing = this.cache ? await this.cache.get('threads', `key:${key}`, () => this.byKey(key)) : await this.byKey(key);
    return existing && !differs(existing, input) ? existing : undefined;
  }

  /** The thread with this key, created for the user/profile when absent. */
  async upsert(input: ThreadInput): Promise<ThreadRow> {
    const threadKey = threadKeyOf(input);
    const now = Date.now();
    const existing = await this.byKey(threadKey);
    const replyTarget = JSON.stringify(input.replyTarget ?? {});
    if (existing) {
      if (differs(existing, input)) {
        const patch = { profile_id: input.profileId, user_id: input.userId, reply_target: replyTarget };
        await this.db.updateTable('threads').set(patch).where('id', '=', existing.id).execute();
        return { ...existing, ...patch };
      }
      return existing;
    }
    const row: ThreadRow = {
      id: newId('thr'),
      user_id: input.userId,
      profile_id: input.profileId,
      channel: input.channel,
      integration_id: input.integrationId,
      thread_key: threadKey,
      external_key: input.externalKey,
      reply_target: replyTarget,
      reset_at: 0,
      created_at: now,
      last_message_at: now,
    };
    await this.db
      .insertInto('threads')
      .values(row)
      .onConflict((oc) => oc.column('thread_key').doNothing())
      .execute();
    return (await this.db.selectFrom('threads').selectAll().where('thread_key', '=', threadKey).executeTakeFirstOrThrow()) as ThreadRow;
  }

  /** A user's thread by id (another user's id is not found). */
  async get(userId: string, id: string): Promise<ThreadRow | undefined> {
    return this.db.selectFrom('threads').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  }

  /** Internal lookup by thread key (`<channel>|<scope>|<external key>`). */
  async byKey(threadKey: string): Promise<ThreadRow | undefined> {
    return this.db.selectFrom('threads').selectAll().where('thread_key', '=', threadKey).executeTakeFirst();
  }

  /** Internal lookup by id. */
  async byId(id: string): Promise<ThreadRow | undefined> {
    return this.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(userId: string, opts: { profileId?: string; limit?: number } = {}): Promise<ThreadRow[]> {
    let q = this.db.selectFrom('threads').selectAll().where('user_id', '=', userId);
    if (opts.profileId) q = q.where('profile_id', '=', opts.profileId);
    return q.orderBy('last_message_at', 'desc').limit(opts.limit ?? 50).execute();
  }

  /** Hides the history so far from the agent (the messages stay in the log). */
  async reset(id: string): Promise<void> {
    await this.db.updateTable('threads').set({ reset_at: Date.now() }).where('id', '=', id).execute();
  }

  /**
   * Gives the threads of an integration whose key starts with `oldPrefix` (see {@link hasKeyPrefix})
   * `newPrefix` instead; a thread whose new key exists already is left alone. Returns how many moved.
   */
  async rekey(channel: string, integrationId: string, oldPrefix: string, newPrefix: string): Promise<number> {
    const rows = await this.db
      .selectFrom('threads')
      .select(['id', 'external_key'])
      .where('channel', '=', channel)
      .where('integration_id', '=', integrationId)
      .where(sql<boolean>`external_key like ${likePrefix(oldPrefix)} escape '\\'`)
      .execute();
    let moved = 0;
    for (const r of rows.filter((x) => hasKeyPrefix(x.external_key, oldPrefix))) {
      const externalKey = newPrefix + r.external_key.slice(oldPrefix.length);
      const threadKey = `${channel}|${integrationId}|${externalKey}`;
      if (await this.byKey(threadKey)) continue;
      await this.db.updateTable('threads').set({ external_key: externalKey, thread_key: threadKey }).where('id', '=', r.id).execute();
      moved++;
    }
    return moved;
  }

  /**
   * Records activity in a thread, to the second: a thread already touched within the last second is
   * left as it is, so a busy chat does not rewrite its row (and its indexes) on every message.
   */
  async touch(id: string, at: number): Promise<void> {
    await TOUCH_THREAD.execute(this.db, touchParams(id, at));
  }
}
