/**
 * Label values from engine events, folded into closed sets: a label that
 * took arbitrary values (an HTTP status text, an error message) would grow
 * the number of series without bound.
 */

const STATUS_WORDS = new Set(['ok', 'error', 'timeout']);
const ERROR_CLASSES = new Set(['retriable', 'rate_limited', 'fatal']);
const CHUNK_STATES = new Set(['pending', 'running', 'done', 'failed']);

/** `200` -> `2xx`, `429` stays, `5xx` stays, `ECONNRESET` -> `other`. */
export function statusClass(status: string | number | undefined): string {
  const text = String(status ?? 'ok').toLowerCase();
  if (text === '429') return '429';
  if (/^[1-5]\d\d$/.test(text)) return `${text[0]}xx`;
  if (/^[1-5]xx$/.test(text)) return text;
  return STATUS_WORDS.has(text) ? text : 'other';
}

/** An error class of the retry policy, or `other`. */
export function errorClass(value: string | undefined): string {
  return value !== undefined && ERROR_CLASSES.has(value) ? value : 'other';
}

/** A ledger chunk state, or undefined for anything else. */
export function chunkState(value: string | undefined): string | undefined {
  return value !== undefined && CHUNK_STATES.has(value) ? value : undefined;
}
