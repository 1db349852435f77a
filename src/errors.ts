/** Base of every error the hub answers with: it knows its HTTP status and a stable snake_case code. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed or names something invalid. */
export class BadRequestError extends HubError {
  constructor(message: string, code = 'bad_request', details?: Record<string, unknown>) {
    super(400, code, message, details);
  }
}

/** 401: no credentials, or wrong ones. */
export class UnauthorizedError extends HubError {
  constructor(message = 'Missing or invalid API key', code = 'unauthorized') {
    super(401, code, message);
  }
}

/** 403: authenticated, but this caller may not do that. */
export class ForbiddenError extends HubError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

/** 404: unknown id — also what another tenant's id answers, so existence never leaks. */
export class NotFoundError extends HubError {
  constructor(what: string, code = 'not_found') {
    super(404, code, `${what} not found`);
  }
}

/** 409: the thing already exists or is in a state that forbids the call. */
export class ConflictError extends HubError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

/** 413: the body is larger than the cap. */
export class PayloadTooLargeError extends HubError {
  constructor(message = 'Request body is too large', code = 'payload_too_large') {
    super(413, code, message);
  }
}

/** 422: well-formed, but the platform or a check refused it (bad token, guarded URL…). */
export class UnprocessableError extends HubError {
  constructor(message: string, code = 'unprocessable') {
    super(422, code, message);
  }
}

/** 503: a dependency is not available right now. */
export class UnavailableError extends HubError {
  constructor(message: string, code = 'unavailable') {
    super(503, code, message);
  }
}
