import type { ErrorRequestHandler } from 'express';
import { HubError } from '../errors.ts';
import type { Logger } from '../channel/index.ts';

/** The realm named in `WWW-Authenticate` on a 401 from /mcp. */
export const MCP_REALM = 'switchboard';

/** JSON-RPC 2.0 error codes /mcp answers with before a request reaches the MCP transport. */
export const JsonRpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  /** Server-defined: the request was not authorized. */
  unauthorized: -32001,
  /** Server-defined: any other refusal with an HTTP status. */
  refused: -32000,
} as const;

/**
 * Maps every error on /mcp to a JSON-RPC error object (`id: null`, since the request was not read
 * as one) with a fitting HTTP status. A 401 carries `WWW-Authenticate: Bearer realm=…`, with
 * `error="invalid_token"` when a token was sent but is not a valid profile token.
 */
export function mcpErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const bodyError = readError(err);
    let status: number;
    let code: number;
    let message: string;
    if (err instanceof HubError && err.status === 401) [status, code, message] = [401, JsonRpcCode.unauthorized, err.message];
    else if (err instanceof HubError) [status, code, message] = [err.status, err.status >= 500 ? JsonRpcCode.internalError : JsonRpcCode.refused, err.message];
    else if (bodyError?.status === 400) [status, code, message] = [400, JsonRpcCode.parseError, 'Parse error: the body is not valid JSON'];
    else if (bodyError?.status === 413) [status, code, message] = [413, JsonRpcCode.invalidRequest, 'Invalid Request: the body is too large'];
    else if (bodyError) [status, code, message] = [bodyError.status, JsonRpcCode.invalidRequest, `Invalid Request: ${bodyError.message}`];
    else {
      log.error({ err, requestId: res.locals.requestId }, 'unhandled MCP error');
      [status, code, message] = [500, JsonRpcCode.internalError, 'Internal error'];
    }
    if (res.headersSent) return;
    if (status === 401) {
      const tokenGiven = typeof req.headers.authorization === 'string' && req.headers.authorization.trim() !== '';
      res.setHeader('www-authenticate', `Bearer realm="${MCP_REALM}"${tokenGiven ? ', error="invalid_token"' : ''}`);
    }
    res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
  };
}

/**
 * A client's fault while the body was read (body-parser and zlib errors carry a 4xx `status` and
 * `expose`): malformed JSON, a bad Content-Encoding, too large, an unsupported charset.
 */
function readError(err: unknown): { status: number; message: string } | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e.status !== 'number' || e.status < 400 || e.status >= 500 || e.expose !== true) return undefined;
  return { status: e.status, message: typeof e.message === 'string' ? e.message.slice(0, 200) : 'unreadable body' };
}
