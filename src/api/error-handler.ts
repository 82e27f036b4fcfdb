// The one place where errors become HTTP responses. Body shape is stable:
// {"error":{"code","message","details"?}} — scripts and the UI match on code.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EptError, type ErrorCode } from '../core/errors.js';

/** HTTP status of every error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  config_invalid: 400,
  parse_error: 400,
  apic_error: 502,
  apic_unreachable: 504,
  unreachable: 502,
  store_error: 503,
  internal: 500,
};

/** The error body every failing route answers with. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** One field that failed schema validation. */
export interface FieldError {
  field: string;
  message: string;
}

/** Turns Fastify/Ajv validation errors into [{field, message}] naming the offending input. */
function validationDetails(err: FastifyError): FieldError[] {
  const where = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const missing = typeof params['missingProperty'] === 'string' ? `/${params['missingProperty']}` : '';
    const extra = typeof params['additionalProperty'] === 'string' ? `/${params['additionalProperty']}` : '';
    return { field: `${where}${v.instancePath}${missing}${extra}`, message: v.message ?? 'is invalid' };
  });
}

/** Maps any thrown error to a status and the stable body. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof EptError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    return { status: HTTP_STATUS[err.code], body: { error } };
  }
  const fe = err as Partial<FastifyError>;
  if (fe.validation) {
    const details = validationDetails(fe as FastifyError);
    const message = details.map((d) => `${d.field} ${d.message}`).join('; ');
    return { status: 400, body: { error: { code: 'bad_request', message, details } } };
  }
  // Fastify's own client errors (bad JSON, wrong content type, body too large) keep their status.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ErrorCode = fe.statusCode === 429 ? 'rate_limited' : fe.statusCode === 404 ? 'not_found' : 'bad_request';
    return { status: fe.statusCode, body: { error: { code, message: fe.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

/** Installs the error and not-found handlers on the app. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.debug({ code: body.error.code, msg: body.error.message }, 'request rejected');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const body: ErrorBody = { error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } };
    return reply.status(404).send(body);
  });
}
