// The one error type of ept. Codes are stable: users and scripts match on them.

/** Stable error codes; mapped to HTTP status in one place (api/error-handler.ts). */
export type ErrorCode =
  | 'bad_request' // the input failed validation
  | 'unauthorized' // no or invalid credentials
  | 'forbidden' // authenticated but not allowed
  | 'not_found' // the addressed resource does not exist
  | 'conflict' // the resource already exists or is in the wrong state
  | 'config_invalid' // a configuration setting is wrong
  | 'apic_error' // the APIC answered with an error
  | 'apic_unreachable' // no APIC address answered
  | 'parse_error' // a payload could not be parsed
  | 'store_error' // the store failed
  | 'rate_limited' // too many requests (login attempts); added by the API engineer for HTTP 429
  | 'unreachable' // the ept server did not answer (CLI client); added by the API engineer
  | 'internal'; // a bug

export class EptError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EptError';
  }
}
