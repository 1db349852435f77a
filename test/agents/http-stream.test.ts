import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentStreamError, readAgentStream } from '../../src/bus/runtimes/http-stream.ts';

/** A body that delivers `bytes` in pieces cut at `cuts` (byte offsets). */
function bodyOf(bytes: Uint8Array, cuts: number[] = []): ReadableStream<Uint8Array> {
  const edges = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  return new ReadableStream({
    start(c) {
      for (let i = 1; i < edges.length; i++) c.enqueue(bytes.subarray(edges[i - 1], edges[i]));
      c.close();
    },
  });
}

const sse = (s: string) => new TextEncoder().encode(s);

describe('reading an agent’s Server-Sent Events answer', () => {
  // CRLF line ends, a comment, an unknown event, an id, multi-byte text: as a real SSE server may send them.
  const wire = sse(': hello\r\nevent: delta\r\ndata: {"text":"Grüße, "}\r\n\r\nevent: ping\ndata: {}\n\nid: 7\nevent: delta\ndata: {"text":"🌍!"}\n\n');

  it('gives the same text however the bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
        const seen: string[] = [];
        const r = await readAgentStream(bodyOf(wire, cuts), { idleMs: 1000, onText: (t) => seen.push(t) });
        expect(r).toEqual({ kind: 'reply', text: 'Grüße, 🌍!' });
        expect(seen).toEqual(['Grüße, ', 'Grüße, 🌍!']);
      }),
      { numRuns: 200 },
    );
  });

  it('takes a last event that lacks its blank line', async () => {
    expect(await readAgentStream(bodyOf(sse('event: delta\ndata: {"text":"tail"}')), { idleMs: 1000, onText: () => {} })).toEqual({ kind: 'reply', text: 'tail' });
  });

  it('an empty stream is no reply; an error event is not retryable', async () => {
    expect(await readAgentStream(bodyOf(sse(': nothing\n\n')), { idleMs: 1000, onText: () => {} })).toEqual({ kind: 'none' });
    const e = await readAgentStream(bodyOf(sse('event: error\ndata: {"message":"nope"}\n\n')), { idleMs: 1000, onText: () => {} }).catch((x) => x);
    expect(e).toBeInstanceOf(AgentStreamError);
    expect(e).toMatchObject({ retryable: false, message: 'agent reported an error: nope' });
  });
});
