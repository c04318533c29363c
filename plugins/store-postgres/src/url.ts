/**
 * The connection string with its secrets masked, fit for a log line or an
 * error message: the userinfo (user and password) and a `password` query
 * parameter become `***`. Text that is not a URL is masked whole, since it
 * may be a keyword string with a password in it.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  if (parsed.username || parsed.password) {
    parsed.username = '***';
    parsed.password = '';
  }
  if (parsed.searchParams.has('password')) {
    parsed.searchParams.set('password', '***');
  }
  return parsed.toString();
}
