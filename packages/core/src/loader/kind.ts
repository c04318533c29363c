/**
 * Which format a loaded document is in. A job list is a bare array of
 * jobs, or a mapping with `jobs` and no `version`; anything else is read
 * as a pipeline file (and its errors say what a pipeline lacks).
 */
export function documentKind(value: unknown): 'pipeline' | 'job-list' {
  if (Array.isArray(value)) return 'job-list';
  if (typeof value === 'object' && value !== null) {
    if (Object.hasOwn(value, 'jobs') && !Object.hasOwn(value, 'version')) {
      return 'job-list';
    }
  }
  return 'pipeline';
}
