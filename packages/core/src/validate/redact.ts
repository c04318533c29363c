import type { Diagnostic } from '../errors/diagnostic.ts';
import { redactText } from '../logging/redact.ts';

/**
 * Masks every value resolved from the environment in the diagnostics'
 * texts: an error message must never print a secret.
 */
export function redact(
  diagnostics: Diagnostic[],
  secrets: readonly string[],
): Diagnostic[] {
  if (secrets.length === 0) return diagnostics;
  return diagnostics.map((d) => {
    const out: Diagnostic = { ...d, message: redactText(d.message, secrets) };
    if (d.expected !== undefined)
      out.expected = redactText(d.expected, secrets);
    if (d.hint !== undefined) out.hint = redactText(d.hint, secrets);
    return out;
  });
}
