import { isAddress } from './base58.ts';

/** Program aliases every host knows; `program_aliases` in config adds more. */
export const BUILT_IN_ALIASES: Readonly<Record<string, string>> = {
  marginfi: 'MFv2hWf31Z9kbCa1snEPYctwafyhdvnV7FZnsebVacA',
  // Lavarage V1 (SOL pools); its V2 program is
  // 1avaAUcjccXCjSZzwUvB2gS3DzkkieV2Mw8CjdN65uu, added by config if wanted.
  leverage: 'CRSeeBqjDnm3UPefJ9gxrtngTsnQRhEJiTA345Q83X3v',
};

/** A program as the source walks it: its address and the alias used. */
export interface Program {
  address: string;
  alias: string | null;
}

/** Built-in aliases overlaid with the host's `settings.program_aliases`. */
export function aliasTable(
  settings: Record<string, unknown>,
): Record<string, string> {
  const table: Record<string, string> = { ...BUILT_IN_ALIASES };
  const extra = settings.program_aliases;
  if (typeof extra === 'object' && extra !== null) {
    for (const [name, address] of Object.entries(extra)) {
      if (typeof address === 'string') table[name] = address;
    }
  }
  return table;
}

/**
 * The program a `programs` entry names, or null when it is neither an
 * alias nor an address. An address that has an alias gets it, so records
 * carry the alias however the user wrote the program.
 */
export function resolveProgram(
  entry: string,
  table: Record<string, string>,
): Program | null {
  const address = table[entry];
  if (address !== undefined) return { address, alias: entry };
  if (!isAddress(entry)) return null;
  const alias = Object.keys(table).find((name) => table[name] === entry);
  return { address: entry, alias: alias ?? null };
}
