/**
 * Durations as pipelines and job lists write them: one or more
 * `<integer><unit>` parts from largest to smallest unit, each unit at most
 * once: `6h`, `30m`, `1h30m`, `2d`, `45s`, `500ms`.
 */
const DURATION =
  /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000, 1] as const;

/** Milliseconds of a duration string, or null when it is not one (or 0). */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match || text === '') return null;
  let total = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) total += Number(part) * UNIT_MS[i]!;
  }
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/** True for a string parseDuration accepts. */
export function isDuration(text: string): boolean {
  return parseDuration(text) !== null;
}
