import type { IncomingMessage } from 'node:http';
import { finished, type Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';

/**
 * Why a body could not be read, shaped like body-parser's errors (`status`, `type`), so the one
 * error mapping answers both paths alike: 413 `entity.too.large`, 415 `encoding.unsupported`, 400
 * for a body that could not be decoded or a request the client aborted.
 */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request's body into one buffer of at most `limit` bytes, the way express.raw reads it: a
 * request without a body (no Content-Length, no Transfer-Encoding) is empty; a gzip, deflate or br
 * body is decompressed (the cap counts decompressed bytes) and another encoding is refused (415);
 * a Content-Length above the cap, or more bytes than the cap as they stream in, is refused (413)
 * once the rest of the request has been read off, so the connection stays usable.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (!hasBody(req)) return EMPTY;
  const encoding = (req.headers['content-encoding'] || 'identity').toLowerCase();
  if (encoding === 'identity') {
    const length = req.headers['content-length'];
    try {
      if (length !== undefined && Number.parseInt(length, 10) > limit) throw tooLarge();
      return await collect(req, req, limit);
    } catch (e) {
      await drained(req);
      throw e;
    }
  }
  const decoder = decompressor(encoding);
  req.pipe(decoder);
  const detach = () => {
    req.unpipe(decoder);
    decoder.on('error', () => {});
    decoder.destroy();
  };
  try {
    const body = await collect(decoder, req, limit);
    detach();
    req.resume();
    return body;
  } catch (e) {
    detach();
    await drained(req);
    throw e;
  }
}

/** Whether a request carries a body at all (type-is's rule). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

/** The decompressor of a Content-Encoding; throws 415 for one we cannot read. */
function decompressor(encoding: string): Transform {
  switch (encoding) {
    case 'deflate':
      return zlib.createInflate();
    case 'gzip':
      return zlib.createGunzip();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      if ('createZstdDecompress' in zlib) return (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress();
  }
  throw new BodyError(415, `unsupported content encoding "${encoding}"`, 'encoding.unsupported');
}

/**
 * Buffers `source` (the request or its decompressor) up to `limit` bytes; `req` tells an abort.
 * Error listeners stay attached after the outcome, so a late error of a stream being torn down is
 * not an unhandled one.
 */
function collect(source: Readable, req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const aborted = () => new BodyError(400, 'request aborted', 'request.aborted');
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return settle(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onClose = () => {
      if (!req.complete) settle(aborted());
    };
    function settle(e?: Error): void {
      if (settled) return;
      settled = true;
      source.off('data', onData).off('end', onEnd);
      req.off('close', onClose);
      if (e) return reject(e);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    }
    source.on('data', onData).on('end', onEnd);
    req.on('close', onClose).on('error', () => settle(aborted()));
    if (source !== req) source.on('error', (e: Error) => settle(new BodyError(400, e.message)));
  });
}

/** Resolves once the rest of the request has been read off (or the client went away). */
function drained(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    finished(req, () => resolve());
    req.resume();
  });
}

function tooLarge(): BodyError {
  return new BodyError(413, 'request entity too large', 'entity.too.large');
}
