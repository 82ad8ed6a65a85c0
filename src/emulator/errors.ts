/**
 * Connect REST error codes and the RFC 7807-like body the API answers with (notes §5).
 * Titles are the documented descriptions (`cxsvc/c_osvc_error_codes.html`).
 */

export const ERROR_CODES = {
  unrecognizedCode: 'OSC-CREST-00001',
  unsupportedMethod: 'OSC-CREST-00002',
  unsupportedVersion: 'OSC-CREST-00003',
  writeFailed: 'OSC-CREST-00006',
  invalidQuery: 'OSC-CREST-00007',
  internal: 'OSC-CREST-00008',
  deleteFailed: 'OSC-CREST-00009',
  noPostData: 'OSC-CREST-00010',
  badJson: 'OSC-CREST-00011',
  createFailed: 'OSC-CREST-00012',
  notRecognized: 'OSC-CREST-00013',
  notAuthorized: 'OSC-CREST-00014',
  unsupportedManner: 'OSC-CREST-00016',
  throttled: 'OSC-CREST-00035',
} as const;

const TITLES: Readonly<Record<string, string>> = {
  'OSC-CREST-00001': 'An unrecognized exception code was used',
  'OSC-CREST-00002': 'An unsupported HTTP method was used',
  'OSC-CREST-00003': 'An unsupported version of Connect REST API was used',
  'OSC-CREST-00005': 'An attempt to read a resource that cannot be read was made',
  'OSC-CREST-00006': 'An attempt to write a resource failed',
  'OSC-CREST-00007': 'An invalid query parameter was used',
  'OSC-CREST-00008': 'An internal error occurred during the processing of the request',
  'OSC-CREST-00009': 'A problem occurred when attempting to delete a resource',
  'OSC-CREST-00010': 'No POST data was found in the request',
  'OSC-CREST-00011': 'Bad JavaScript Object Notation (JSON) syntax was found in the request',
  'OSC-CREST-00012': 'A problem occurred when attempting to create a resource',
  'OSC-CREST-00013': 'The resource identified in the URI was not recognized',
  'OSC-CREST-00014': "You're not authorized to use this site",
  'OSC-CREST-00015': "The Connect REST API isn't enabled",
  'OSC-CREST-00016': 'The Connect REST API was accessed in a nonsupported manner',
  'OSC-CREST-00035': 'The request was rejected by API throttling',
};

/** The code an injected fault uses when the spec names none. */
const DEFAULT_CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: ERROR_CODES.writeFailed,
  403: ERROR_CODES.notAuthorized,
  404: ERROR_CODES.notRecognized,
  503: ERROR_CODES.throttled,
};

export function titleOf(code: string): string {
  return TITLES[code] ?? 'An error occurred';
}

export function defaultCodeFor(status: number): string {
  return DEFAULT_CODE_BY_STATUS[status] ?? ERROR_CODES.internal;
}

/** A failure the API reports with a Connect error body; handlers throw it, the server renders it. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  readonly status: number;
  /** Undefined when the real code is unknown: the body then carries none rather than a guess. */
  readonly code: string | undefined;
  readonly title: string;
  readonly detail: string;

  constructor(status: number, code: string | undefined, detail?: string, title?: string) {
    const resolvedTitle = title ?? (code === undefined ? 'Error' : titleOf(code));
    super(`${status} ${code ?? ''}: ${detail ?? resolvedTitle}`);
    this.status = status;
    this.code = code;
    this.title = resolvedTitle;
    this.detail = detail ?? resolvedTitle;
  }
}

export interface ConnectErrorBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  'o:errorCode'?: string;
}

/** `type` points at the site's exception catalogue; `instance` is the full request URL. */
export function connectErrorBody(origin: string, instance: string, error: ConnectError): ConnectErrorBody {
  if (error.code === undefined) {
    return { type: 'about:blank', title: error.title, status: error.status, detail: error.detail, instance };
  }
  return {
    type: `${origin}/services/rest/connect/exceptions/${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance,
    'o:errorCode': error.code,
  };
}

/** Bad or missing credentials: the real 401 body is undocumented (notes §5), so no error code is invented. */
export function unauthorized(): ConnectError {
  return new ConnectError(401, undefined, 'Access denied: invalid or missing credentials', 'Unauthorized');
}

/** 400 OSC-CREST-00002 with the wording Oracle's own accelerator mimics (notes §2). */
export function unsupportedMethod(method: string): ConnectError {
  return new ConnectError(400, ERROR_CODES.unsupportedMethod, `Unsupported method for request: ${method}`);
}

export function notRecognized(resource: string): ConnectError {
  return new ConnectError(404, ERROR_CODES.notRecognized, `The resource ${resource} was not recognized`);
}

/** Unknown id in the URI: 404; the exact code of the real API is unknown [inf]. */
export function noSuchObject(objectName: string, id: number | string): ConnectError {
  return new ConnectError(404, ERROR_CODES.notRecognized, `No such ${objectName} with ID = ${id}`);
}

export function writeFailed(detail: string): ConnectError {
  return new ConnectError(400, ERROR_CODES.writeFailed, detail);
}

export function invalidQuery(detail: string): ConnectError {
  return new ConnectError(400, ERROR_CODES.invalidQuery, detail);
}
