import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterRegistry } from '../../adapters/index.ts';
import {
  RefusedError,
  RetryAfterError,
  UnreachableError,
  type ChannelAdapter,
  type InboxEventView,
  type IntegrationInfo,
} from '../../src/channel/index.ts';

/** What an adapter's test gives the shared contract suite. */
export interface ContractHarness {
  adapter: ChannelAdapter;
  /** The integration sends go through (null for the console). */
  integration: IntegrationInfo | null;
  /** A target the platform (or its local fake) accepts. */
  target: Record<string, unknown>;
  /** Texts the platform received so far, in order (one entry per platform message). */
  received(): Promise<string[]>;
  /** Inbound samples (real payload shapes) and what each must become. */
  samples?: { name: string; event: InboxEventView; expect: 'message' | 'ignored' | 'handled' }[];
  /** Makes the platform answer the next send with: a permanent refusal, a 429 with retry-after seconds, or no answer at all. */
  failNext?: (how: 'refused' | { retryAfterSeconds: number } | 'unreachable') => Promise<void>;
  close(): Promise<void>;
}

const sendCtx = (integration: IntegrationInfo | null, key: string) => ({ integration, idempotencyKey: key, attempt: 1 });

/**
 * The contract every channel adapter passes: naming, capabilities, sending, splitting, inbound
 * interpretation of real payloads, and the three kinds of send failure.
 */
export function runAdapterContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`adapter contract: ${name}`, () => {
    let h: ContractHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(() => h?.close());

    it('is registered under its name', () => {
      expect(h.adapter.name).toBe(name);
      expect(Object.keys(adapterRegistry)).toContain(name);
    });

    it('declares sane capabilities', () => {
      const c = h.adapter.capabilities;
      expect(c.maxTextLength).toBeGreaterThan(0);
      expect(['chat', 'notification', 'local']).toContain(c.category);
      expect(c.authMethods.length).toBeGreaterThan(0);
      expect(typeof h.adapter.interpret === 'function').toBe(c.inbound);
    });

    it('sends a text and reports the platform ids', async () => {
      const before = (await h.received()).length;
      const r = await h.adapter.send({ text: 'contract: hello', format: 'plain', target: h.target }, sendCtx(h.integration, `contract-${name}-1`));
      expect(r.messageIds.length).toBeGreaterThanOrEqual(1);
      const got = await h.received();
      expect(got.length).toBe(before + r.messageIds.length);
      expect(got.at(-1)).toContain('contract: hello');
    });

    it('splits a text over its limit into parts within the limit, losing no word', async () => {
      const max = h.adapter.capabilities.maxTextLength;
      const words = Array.from({ length: Math.ceil((max * 1.5) / 8) }, (_, i) => `w${i.toString().padStart(5, '0')}`);
      const text = words.join(' ');
      const before = (await h.received()).length;
      const r = await h.adapter.send({ text, format: 'plain', target: h.target }, sendCtx(h.integration, `contract-${name}-2`));
      expect(r.messageIds.length).toBeGreaterThanOrEqual(2);
      const parts = (await h.received()).slice(before);
      expect(parts.length).toBe(r.messageIds.length);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
      const joined = parts.join(' ');
      for (const w of [words[0], words[Math.floor(words.length / 2)], words.at(-1)!]) expect(joined).toContain(w);
    });

    it('interprets real inbound payloads, and ignores garbage without throwing', async () => {
      if (!h.adapter.capabilities.inbound) return;
      const garbage = await h.adapter.interpret!({ id: 1, channel: name, source: h.integration?.id ?? 'x', externalEventId: 'g', payload: { nonsense: true } });
      expect(garbage.kind).toBe('ignored');
      for (const s of h.samples ?? []) {
        const d = await h.adapter.interpret!(s.event);
        expect(d.kind, s.name).toBe(s.expect);
        if (d.kind === 'message') {
          expect(d.message.channel).toBe(name);
          expect(d.message.threadKey.length).toBeGreaterThan(0);
          expect(typeof d.message.replyTarget).toBe('object');
          expect(d.userId.length).toBeGreaterThan(0);
        }
      }
    });

    it('reports a refusal, a rate limit and an outage as their own errors', async () => {
      if (!h.failNext) return;
      await h.failNext('refused');
      await expect(h.adapter.send({ text: 'x', target: h.target }, sendCtx(h.integration, 'f1'))).rejects.toBeInstanceOf(RefusedError);
      await h.failNext({ retryAfterSeconds: 3 });
      const limited = await h.adapter.send({ text: 'x', target: h.target }, sendCtx(h.integration, 'f2')).catch((e) => e);
      expect(limited).toBeInstanceOf(RetryAfterError);
      expect(limited.retryAfterMs).toBe(3000);
      await h.failNext('unreachable');
      await expect(h.adapter.send({ text: 'x', target: h.target }, sendCtx(h.integration, 'f3'))).rejects.toBeInstanceOf(UnreachableError);
    });
  });
}
