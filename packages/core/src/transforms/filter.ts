import type { TransformDefinition } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';
import jsonata from 'jsonata';

export interface FilterParams {
  /** A JSONata expression over the record's value; keeps it when true. */
  where: string;
}

/**
 * Keeps the records for which a JSONata expression is truthy: `err = null`,
 * `amount > 1000 and side = "borrow"`. Never `eval`: JSONata parses and
 * interprets the expression itself.
 */
export const filter: TransformDefinition<FilterParams> = {
  name: 'filter',
  description: 'keep records matching a JSONata expression',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['where'],
    properties: {
      where: {
        type: 'string',
        minLength: 1,
        description: 'JSONata expression over the record value',
      },
    },
  },
  check(params) {
    try {
      jsonata(params.where);
      return [];
    } catch (error) {
      const position = (error as { position?: number }).position;
      return [
        {
          pointer: '/where',
          code: 'TRANSFORM_FILTER_SYNTAX',
          message:
            `the filter expression does not parse at character ${position}: ` +
            (error as Error).message,
        },
      ];
    }
  },
  create(params) {
    let expression: ReturnType<typeof jsonata>;
    try {
      expression = jsonata(params.where);
    } catch (error) {
      const position = (error as { position?: number }).position;
      throw new PluginError(
        `filter: the expression "${params.where}" does not parse at ` +
          `character ${position}: ${(error as Error).message}`,
        { code: 'TRANSFORM_FILTER_SYNTAX', errorClass: 'fatal', cause: error },
      );
    }
    return async (record) => {
      let keep: unknown;
      try {
        keep = await expression.evaluate(record.value);
      } catch (error) {
        throw evaluationError(error);
      }
      return keep ? record : null;
    };
  },
};

// ---------------------------------------------------------------------------

/**
 * JSONata throws plain objects with a stack of its own; the record's
 * dead letter and the log line need only the expression's message. Fatal:
 * the same record fails the same way on every retry.
 */
function evaluationError(error: unknown): PluginError {
  const thrown = (error ?? {}) as Record<string, unknown>;
  const message =
    typeof thrown.message === 'string' ? thrown.message : String(error);
  // No `cause`: a log line would carry JSONata's stack along with it.
  return new PluginError(message, {
    code: 'TRANSFORM_FILTER_EVAL',
    errorClass: 'fatal',
    details: { jsonataCode: thrown.code, position: thrown.position },
  });
}
