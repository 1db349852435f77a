import type { gmail_v1 } from '@googleapis/gmail';
import { z } from 'zod';
import type { AdapterServices, DataSourceTool, IntegrationInfo, ToolOutcome } from '../../src/channel/index.ts';
import { SCOPE_COMPOSE } from './capabilities.ts';
import { classifyFailure, clientOf } from './client.ts';
import { messageView, rawEmail, summaryView } from './message.ts';

const json = (v: unknown): ToolOutcome => ({ text: JSON.stringify(v, null, 2) });
const fail = (code: string, text: string): ToolOutcome => ({ text: `${code}: ${text}`, isError: true });
const WRITE_SCOPES = [SCOPE_COMPOSE, 'https://www.googleapis.com/auth/gmail.modify', 'https://mail.google.com/'];

/** Whether sending is allowed for an integration (setting `allow_send`, default false). */
export const sendAllowed = (i: IntegrationInfo) => i.config.allow_send === true;

const oneLine = /^[^\r\n]*$/;
const address = z.string().min(3).max(2000).regex(oneLine, 'must be one line').describe('Recipients, comma-separated (e.g. "Ann <ann@example.com>, bo@example.com")');
const compose = {
  to: address,
  subject: z.string().min(1).max(998).regex(oneLine, 'must be one line'),
  body: z.string().min(1).max(256 * 1024).describe('Plain text'),
  cc: address.optional(),
  bcc: address.optional(),
  thread_id: z.string().min(1).max(100).optional().describe('Reply within this thread'),
};

/**
 * The Gmail tools. Each call opens the integration's client (refreshing its token when needed).
 * A revoked grant turns the integration unhealthy; Google unreachable is a tool error and the
 * integration stays healthy.
 */
export function gmailTools(services: AdapterServices): DataSourceTool[] {
  async function withGmail(integration: IntegrationInfo, fn: (g: gmail_v1.Gmail) => Promise<ToolOutcome>): Promise<ToolOutcome> {
    try {
      return await fn(await clientOf(services, integration));
    } catch (e) {
      const f = classifyFailure(e);
      if (f.kind === 'revoked') {
        await services.integrations.setStatus(integration.id, 'unhealthy', f.reason);
        return fail('reconnect_needed', f.reason);
      }
      if (f.kind === 'unreachable') services.log.warn({ integration: integration.id, reason: f.reason }, 'Gmail unreachable');
      return fail(f.kind === 'scope' ? 'scope_missing' : f.kind === 'unreachable' ? 'google_unreachable' : f.kind === 'not_found' ? 'not_found' : 'google_refused', f.reason);
    }
  }
  const canWrite = (i: IntegrationInfo) => (Array.isArray(i.config.scopes) ? (i.config.scopes as string[]) : []).some((s) => WRITE_SCOPES.includes(s));
  const noWrite = () => fail('scope_missing', `this Gmail connection was not granted ${SCOPE_COMPOSE}; connect it again and allow "Manage drafts and send emails"`);

  async function draft(g: gmail_v1.Gmail, a: Record<string, any>) {
    const raw = rawEmail({ to: a.to, subject: a.subject, body: a.body, cc: a.cc, bcc: a.bcc });
    return (await g.users.drafts.create({ userId: 'me', requestBody: { message: { raw, threadId: a.thread_id } } })).data;
  }

  return [
    {
      name: 'gmail_search',
      title: 'Search Gmail',
      description: 'Search the mailbox with Gmail query syntax (e.g. "from:ann is:unread newer_than:7d"). Answers headers and snippets; pass next_page_token back as page_token for more.',
      inputSchema: {
        query: z.string().max(2000).describe('Gmail search query; empty for the newest mail'),
        page_token: z.string().min(1).max(500).optional(),
        max_results: z.number().int().min(1).max(50).optional().describe('Messages per page (default 10)'),
      },
      run: (a, { integration }) =>
        withGmail(integration, async (g) => {
          const list = (await g.users.messages.list({ userId: 'me', q: a.query || undefined, pageToken: a.page_token, maxResults: a.max_results ?? 10 })).data;
          const messages = await Promise.all(
            (list.messages ?? []).map(async (m) => summaryView((await g.users.messages.get({ userId: 'me', id: m.id!, format: 'metadata', metadataHeaders: ['From', 'Subject', 'Date'] })).data)),
          );
          return json({ messages, next_page_token: list.nextPageToken ?? null, result_size_estimate: list.resultSizeEstimate ?? messages.length });
        }),
    },
    {
      name: 'gmail_read',
      title: 'Read an email or thread',
      description: 'Read one message (message_id) or a whole thread (thread_id) as clean text (the plain-text part, else the HTML stripped), with attachment metadata.',
      inputSchema: { message_id: z.string().min(1).max(100).optional(), thread_id: z.string().min(1).max(100).optional() },
      async run(a, { integration }) {
        if (!a.message_id === !a.thread_id) return fail('invalid_arguments', 'give exactly one of message_id or thread_id');
        return withGmail(integration, async (g) => {
          if (a.message_id) return json(messageView((await g.users.messages.get({ userId: 'me', id: a.message_id, format: 'full' })).data));
          const t = (await g.users.threads.get({ userId: 'me', id: a.thread_id, format: 'full' })).data;
          return json({ thread_id: t.id, messages: (t.messages ?? []).map(messageView) });
        });
      },
    },
    {
      name: 'gmail_draft',
      title: 'Draft an email',
      description: 'Save an email as a draft in the mailbox (nothing is sent); the user can review and send it from Gmail.',
      inputSchema: compose,
      async run(a, { integration }) {
        if (!canWrite(integration)) return noWrite();
        return withGmail(integration, async (g) => {
          const d = await draft(g, a);
          return json({ draft_id: d.id, message_id: d.message?.id ?? null, thread_id: d.message?.threadId ?? null });
        });
      },
    },
    {
      name: 'gmail_send',
      title: 'Send an email',
      description: 'Send an email from the mailbox. Only when the connection allows sending (setting allow_send); otherwise it is saved as a draft instead, and the answer says so (sent: false).',
      inputSchema: compose,
      async run(a, { integration }) {
        if (!canWrite(integration)) return noWrite();
        return withGmail(integration, async (g) => {
          if (!sendAllowed(integration)) {
            const d = await draft(g, a);
            return json({ sent: false, draft_id: d.id, reason: 'sending is off for this Gmail connection (allow_send is false); the email was saved as a draft for the user to send' });
          }
          const raw = rawEmail({ to: a.to, subject: a.subject, body: a.body, cc: a.cc, bcc: a.bcc });
          const m = (await g.users.messages.send({ userId: 'me', requestBody: { raw, threadId: a.thread_id } })).data;
          return json({ sent: true, message_id: m.id, thread_id: m.threadId ?? null });
        });
      },
    },
    {
      name: 'gmail_labels',
      title: 'List Gmail labels',
      description: 'The mailbox\'s labels (system and user), with their ids for gmail_search queries (label:<name>).',
      inputSchema: {},
      run: (_a, { integration }) =>
        withGmail(integration, async (g) => {
          const labels = (await g.users.labels.list({ userId: 'me' })).data.labels ?? [];
          return json({ labels: labels.map((l) => ({ id: l.id, name: l.name, type: l.type ?? null })) });
        }),
    },
  ];
}
