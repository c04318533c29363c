/** The plugin API version this kit describes. Majors are incompatible. */
export const PLUGIN_API_VERSION = '1.0.0';

/** The major part of a semver string, or NaN when it is not one. */
export function majorOf(version: string): number {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}
