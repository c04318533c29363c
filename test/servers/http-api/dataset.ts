/** One record the API serves: an id, a sequence and a timestamp. */
export interface ApiRecord {
  id: string;
  seq: number;
  amount: number;
  updated_at: string;
}

/** The window the dataset's `updated_at` values spread over. */
export const DATASET_FROM = '2026-01-01T00:00:00.000Z';

/**
 * `count` records, `r0001` onwards, one minute apart from DATASET_FROM.
 * The same count always gives the same records, so tests can name them.
 */
export function makeDataset(count: number): ApiRecord[] {
  const start = Date.parse(DATASET_FROM);
  return Array.from({ length: count }, (_, index) => ({
    id: `r${String(index + 1).padStart(4, '0')}`,
    seq: index + 1,
    amount: (index + 1) * 10,
    updated_at: new Date(start + index * 60_000).toISOString(),
  }));
}

/** The ids of records `from` to `to` inclusive (1-based), for assertions. */
export function idsBetween(from: number, to: number): string[] {
  const ids: string[] = [];
  for (let seq = from; seq <= to; seq++) {
    ids.push(`r${String(seq).padStart(4, '0')}`);
  }
  return ids;
}
