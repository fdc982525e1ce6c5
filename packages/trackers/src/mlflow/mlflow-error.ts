/**
 * The server answered with an error status. `errorCode` is MLflow's `error_code`
 * (`RESOURCE_DOES_NOT_EXIST`, `INVALID_PARAMETER_VALUE`…) when the body carried one; bodies that
 * are not MLflow JSON (a plain-text 403 from the host check, `{"detail": …}` from the artifact
 * routes, a proxy's HTML page) still give a readable message.
 */
export class MlflowApiError extends Error {
  constructor(
    /** `POST runs/log-batch`: what was asked, without host or credentials. */
    readonly request: string,
    readonly status: number,
    readonly errorCode: string | undefined,
    readonly serverMessage: string,
    readonly retryable: boolean,
    /** What a `Retry-After` header asked for, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(`MLflow ${request}: HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${serverMessage || '(no message)'}`);
    this.name = 'MlflowApiError';
  }
}

/** The server could not be reached (or kept failing with retryable errors) within the retry budget. */
export class MlflowUnreachableError extends Error {
  constructor(
    readonly trackingUri: string,
    readonly request: string,
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(`cannot reach the MLflow tracking server at ${trackingUri} (${request}: ${reason}; ${attempts} attempt${attempts === 1 ? '' : 's'})`);
    this.name = 'MlflowUnreachableError';
  }
}

const MAX_MESSAGE = 500;

/** Extracts `{error_code, message}` from an error body of any shape. */
export function parseErrorBody(text: string, contentType: string | undefined): { errorCode?: string; message: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || contentType?.includes('json')) {
    try {
      const body = JSON.parse(trimmed) as Record<string, unknown>;
      const errorCode = typeof body['error_code'] === 'string' ? body['error_code'] : undefined;
      const detail = body['message'] ?? body['detail'] ?? body['error'];
      const message = typeof detail === 'string' ? detail : detail !== undefined ? JSON.stringify(detail) : trimmed;
      return { errorCode, message: clip(message) };
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  if (contentType?.includes('html')) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1];
    return { message: clip((title ?? trimmed.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim()) };
  }
  return { message: clip(trimmed.replace(/\s+/g, ' ')) };
}

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}

/** A short reason for a network failure: `connect ECONNREFUSED 127.0.0.1:5000`, `timed out after 120 s`. */
export function networkReason(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: unknown; name?: string };
  const cause = err.cause as { code?: string; message?: string } | undefined;
  if (err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timed out (${err.code ?? err.name})`;
  }
  const msg = cause?.message ?? err.message ?? String(e);
  const code = cause?.code ?? err.code;
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}
