import express, { type RequestHandler } from 'express';
import { HubError } from '../errors.ts';

/** Largest JSON body the REST API accepts: 1 MiB. */
export const MAX_JSON_BODY = '1mb';

/** True when the request carries a body: chunked, or a Content-Length above 0. */
export function hasBody(headers: { 'transfer-encoding'?: string; 'content-length'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length.trim() !== '' && Number(length) !== 0;
}

/**
 * True for `application/json`, optionally with `charset=utf-8` (any case). Anything else — another
 * type, another charset, or no type at all — is not a JSON body we read.
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  for (const p of params) {
    const [k, v = ''] = p.split('=').map((s) => s.trim());
    if (k === 'charset' && v.replace(/^"|"$/g, '') !== 'utf-8') return false;
  }
  return true;
}

/** 415 for a body that is not UTF-8 JSON; body-less requests (GET, DELETE, Content-Length 0) pass. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req.headers) && !isJsonContentType(req.headers['content-type'])) {
    const given = req.headers['content-type'] ? `Content-Type ${req.headers['content-type'].slice(0, 100)}` : 'a body without a Content-Type';
    throw new HubError(415, 'unsupported_media_type', `This API reads JSON only: send Content-Type: application/json (UTF-8), not ${given}`);
  }
  next();
};

/** The JSON body reader of the REST API: the content type check, then express.json (1 MiB, objects and arrays only). */
export function jsonBody(): RequestHandler[] {
  return [requireJsonBody, express.json({ limit: MAX_JSON_BODY, strict: true, type: () => true })];
}
