import type { ChannelAdapter, InboundMessage, StreamSink } from '../channel/index.ts';
import type { Store } from '../store/index.ts';
import type { InboxRow } from '../store/inbox.ts';
import { parseJson } from '../store/json.ts';
import type { TurnStream } from './runtimes/types.ts';

/** A turn's preview, and the handle its final send needs. */
export interface OpenTurnStream extends TurnStream {
  /** Stops the preview; the handle to put on the reply (see OutboundMessage.stream), if any. */
  finish(): Promise<Record<string, unknown> | undefined>;
}

/** Who a turn belongs to, for the log entry that keeps a stream's handle. */
export interface StreamOwner {
  message: InboundMessage;
  userId: string;
  profile: { id: string };
  thread: { id: string; channel: string };
}

/**
 * Opens the live preview of a turn's reply through the adapter (undefined when the channel has
 * none). When the platform creates a streamed message, its handle is committed to the thread's log
 * (`agent_stream`, tied to the inbox row) before the stream goes on. A turn that runs again after
 * a crash finds that entry and opens no second preview: its reply finishes the message the first
 * run left open, so the person gets one whole answer. `resumed` says the turn ran before (its
 * turn-start mark exists); only then is the log read, so a first run costs no extra query.
 */
export async function openTurnStream(store: Store, adapter: ChannelAdapter, row: InboxRow, o: StreamOwner, resumed: boolean): Promise<OpenTurnStream | undefined> {
  if (!adapter.stream) return undefined;
  const earlier = resumed ? (await store.messages.ofInbox(row.id, ['agent_stream'])).at(-1) : undefined;
  if (earlier) {
    const handle = parseJson<{ handle?: Record<string, unknown> }>(earlier.meta, {}).handle;
    return { update: () => undefined, finish: async () => handle };
  }
  let sink: StreamSink | undefined;
  try {
    sink = adapter.stream(o.message, {
      async onOpen(handle) {
        await store.messages.add({
          userId: o.userId,
          threadId: o.thread.id,
          profileId: o.profile.id,
          type: 'agent_stream',
          direction: 'out',
          text: `The reply is streaming into ${o.thread.channel}`,
          meta: { handle, inbox_id: row.id },
          inboxId: row.id,
        });
      },
    });
  } catch {
    return undefined;
  }
  if (!sink) return undefined;
  const s = sink;
  return { update: (text) => s.update(text), finish: () => s.finish().catch(() => undefined) };
}
