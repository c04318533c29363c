import type { Logger, SourceRecord } from '@backfill/plugin-kit';

import type { PageSignals, Plan } from './pagination.ts';
import { fieldOf, repeatedKeys } from './records.ts';
import type { Redactor } from './redact.ts';

/** Where a page is, for a log line; made only when one is written. */
export type PagePlace = () => { page: number; url: string };

/**
 * What a walk tells the operator when it goes on, or stops, as specified
 * but perhaps not as they expect: never a silent surprise.
 */
export class WalkWarnings {
  readonly #logger: Logger;
  readonly #redactor: Redactor;
  readonly #incrementalField: string | undefined;
  #incrementalWarned = false;

  constructor(
    logger: Logger,
    redactor: Redactor,
    incrementalField: string | undefined,
  ) {
    this.#logger = logger;
    this.#redactor = redactor;
    this.#incrementalField = incrementalField;
  }

  /**
   * A reply with no paging signal is taken as the whole answer; an API
   * that pages in a way detection does not know would lose every page
   * after the first.
   */
  singlePage(base: URL): void {
    this.#logger.warn(
      { endpoint: this.#redactor.url(base) },
      'no pagination detected in the first reply: treating the endpoint as ' +
        'a single page; set pagination if it pages',
    );
  }

  /**
   * An empty page ends the walk, as specified; one that still names a
   * next page comes from an API that filters its pages, or a broken one,
   * and the pages after it are not fetched.
   */
  emptyPage(at: PagePlace, plan: Plan, signals: PageSignals): void {
    const said = nextSignal(plan, signals);
    if (said === null) return;
    this.#logger.warn(
      at(),
      `empty page although the API gave ${said}: the walk stops here, as ` +
        'at every empty page, and fetches no page after it; if the API ' +
        'filters records out of its pages, later pages may hold more: ' +
        'filter with a transform instead of a query parameter, or raise ' +
        'page_size',
    );
  }

  /**
   * The store keeps one record per key, so a key repeated inside a page
   * loses a record; and progress needs the incremental field. A Set over
   * the keys and a scan that stops at the first record with the field:
   * both cheap next to the request and the parse.
   */
  page(records: readonly SourceRecord[], at: PagePlace): void {
    const repeated = repeatedKeys(records);
    if (repeated !== null) {
      const { count } = repeated;
      const key = this.#redactor.text(repeated.example);
      this.#logger.warn(
        { ...at(), repeated: count, key },
        `${count} ${count === 1 ? 'record repeats' : 'records repeat'} the ` +
          `key of an earlier record of the same page (key "${key}"): the ` +
          'later record replaces the earlier one; check key_field',
      );
    }
    const field = this.#incrementalField;
    if (field === undefined || this.#incrementalWarned) return;
    if (records.some((r) => fieldOf(r.value, field) != null)) return;
    this.#incrementalWarned = true;
    this.#logger.warn(
      { ...at(), field },
      `no record of the page has the incremental field "${field}", so ` +
        'progress cannot be computed from it (the walk goes on); set ' +
        "incremental.field to a field of the API's records",
    );
  }
}

// ---------------------------------------------------------------------------

function nextSignal(plan: Plan, signals: PageSignals): string | null {
  if (signals.next !== null) {
    if (plan.style === 'cursor') return 'a next token';
    return plan.style === 'link' ? 'a next Link' : 'a next URL';
  }
  if (signals.hasMore === true) return `${plan.has_more_path}: true`;
  return null;
}
