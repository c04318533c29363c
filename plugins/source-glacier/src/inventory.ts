import type { ChunkRange } from '@backfill/plugin-kit';

import type { ArchiveRef } from './cursor.ts';
import { fatal } from './errors.ts';

/** One archive as a vault inventory lists it. */
interface InventoryArchive {
  ArchiveId: string;
  ArchiveDescription?: string;
  CreationDate: string;
  Size?: number;
  SHA256TreeHash?: string;
}

/**
 * The archives a chunk reads: by description pattern when one is given,
 * else those created within the chunk's time range; oldest first.
 */
export function chooseArchives(
  inventoryJson: string,
  range: ChunkRange,
  descriptionPattern: string | undefined,
): ArchiveRef[] {
  let list: InventoryArchive[];
  try {
    list =
      (JSON.parse(inventoryJson) as { ArchiveList?: InventoryArchive[] })
        .ArchiveList ?? [];
  } catch (error) {
    throw fatal(
      'GLACIER_INVENTORY',
      `the vault inventory is not JSON: ${(error as Error).message}`,
    );
  }
  const pattern = descriptionPattern
    ? new RegExp(descriptionPattern)
    : undefined;
  const chosen = list.filter((a) => {
    if (pattern) return pattern.test(a.ArchiveDescription ?? '');
    if (range.kind !== 'time') return true;
    const created = Date.parse(a.CreationDate);
    return created >= Date.parse(range.from) && created < Date.parse(range.to);
  });
  chosen.sort(
    (a, b) =>
      a.CreationDate.localeCompare(b.CreationDate) ||
      a.ArchiveId.localeCompare(b.ArchiveId),
  );
  return chosen.map((a) => ({
    id: a.ArchiveId,
    ...(a.Size !== undefined ? { size: a.Size } : {}),
    ...(a.SHA256TreeHash ? { treeHash: a.SHA256TreeHash } : {}),
  }));
}
