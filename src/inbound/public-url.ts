const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * The URL the provider called, as it signed it. Behind OCI API Gateway the function sees only
 * the path and query (`Fn-Http-Request-Url`, deployment prefix included) and the client's
 * `Host` header; TLS ends at the gateway, so the scheme is https. `webhook_public_url` overrides:
 * an origin gets the request's path and query appended, a full URL is used as configured
 * (with the request's query when it has none of its own, e.g. Twilio's `bodySHA256`).
 */
export function publicUrl(
  req: { readonly url: string | null; header(name: string): string | null },
  configured: string | undefined,
): string | undefined {
  const pathAndQuery = requestPathAndQuery(req.url);
  if (configured !== undefined) {
    const rest = configured.replace(SCHEME_AND_AUTHORITY, '');
    if (rest === '' || rest === '/') return `${configured.slice(0, configured.length - rest.length)}${pathAndQuery}`;
    const query = pathAndQuery.includes('?') ? pathAndQuery.slice(pathAndQuery.indexOf('?')) : '';
    return configured.includes('?') || query === '' ? configured : `${configured}${query}`;
  }
  const host = req.header('Host');
  // A Host with anything but host[:port] characters cannot be where the provider sent it.
  if (host === null || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return undefined;
  return `https://${host}${pathAndQuery}`;
}

/** `Fn-Http-Request-Url` is path and query behind a gateway, a full URL from Fn's own trigger. */
function requestPathAndQuery(url: string | null): string {
  if (url === null || url === '') return '/';
  if (SCHEME_AND_AUTHORITY.test(url)) {
    const rest = url.replace(SCHEME_AND_AUTHORITY, '');
    return rest.startsWith('/') ? rest : `/${rest}`;
  }
  return url.startsWith('/') ? url : `/${url}`;
}
