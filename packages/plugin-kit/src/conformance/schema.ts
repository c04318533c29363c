import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import type { JsonSchema } from '../json.ts';
import type { SchemaCheck, SourceConformance } from './options.ts';

/** A key no source's params have: a closed schema must refuse it. */
const STRANGER = 'conformance_unknown_key';

/**
 * The source's `with:` schema compiles as JSON Schema 2020-12, is closed
 * (every object it declares refuses unknown keys), accepts the author's
 * params, refuses them with an unknown key added, and `check` finds no
 * problem in them.
 */
export function checkSchema<Params>(
  conformance: SourceConformance<Params>,
): void {
  const { source, params } = conformance;
  const name = `source "${source.name}"`;
  assert.ok(
    isObject(source.schema),
    `${name}: "schema" must be a JSON Schema object`,
  );
  const compile = conformance.compileSchema ?? compileWithAjv;
  let validate: SchemaCheck;
  try {
    validate = compile(source.schema);
  } catch (error) {
    assert.fail(
      `${name}: its schema does not compile as JSON Schema 2020-12: ` +
        (error as Error).message,
    );
  }

  const open = openObjects(source.schema, '');
  assert.deepEqual(
    open,
    [],
    `${name}: its schema must be closed; add ` +
      '"additionalProperties: false" at these pointers',
  );
  assert.ok(
    validate(params),
    `${name}: the conformance params are invalid against its own schema`,
  );
  assert.equal(
    validate({ ...params, [STRANGER]: true }),
    false,
    `${name}: its schema accepts an unknown key ("${STRANGER}")`,
  );

  const problems = source.check?.(params, conformance.settings ?? {}) ?? [];
  assert.deepEqual(
    problems,
    [],
    `${name}: check() finds problems in the conformance params`,
  );
}

// ---------------------------------------------------------------------------

const requireHere = createRequire(import.meta.url);

/** Strict schema mode: a misspelt keyword fails instead of being ignored. */
function compileWithAjv(schema: JsonSchema): SchemaCheck {
  const { Ajv2020 } = requireHere('ajv/dist/2020.js') as {
    Ajv2020: new (options: object) => { compile(schema: object): SchemaCheck };
  };
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    strictTypes: false,
    strictTuples: false,
    validateFormats: false,
    allErrors: true,
  });
  const validate = ajv.compile(schema);
  return (value) => validate(value) as boolean;
}

/**
 * JSON pointers of object schemas that accept unknown keys. A branch of
 * allOf/anyOf/oneOf/if/then/else refines its parent, whose own
 * `additionalProperties` governs, so only what it nests is checked.
 */
function openObjects(
  schema: unknown,
  pointer: string,
  refinement = false,
): string[] {
  if (!isObject(schema)) return [];
  const open: string[] = [];
  const declares = isObject(schema.properties) || schema.type === 'object';
  if (declares && !refinement && !isClosed(schema)) open.push(pointer || '/');

  for (const [key, child] of Object.entries(schema)) {
    const at = `${pointer}/${pointerToken(key)}`;
    if (MAPS.has(key) && isObject(child)) {
      for (const [name, sub] of Object.entries(child)) {
        open.push(...openObjects(sub, `${at}/${pointerToken(name)}`));
      }
    } else if (key === 'prefixItems' && Array.isArray(child)) {
      child.forEach((sub, i) => {
        open.push(...openObjects(sub, `${at}/${i}`));
      });
    } else if (key === 'items') {
      open.push(...openObjects(child, at));
    } else if (BRANCHES.has(key) && Array.isArray(child)) {
      child.forEach((sub, i) => {
        open.push(...openObjects(sub, `${at}/${i}`, !isClosed(sub)));
      });
    } else if (CONDITIONS.has(key)) {
      open.push(...openObjects(child, at, true));
    }
  }
  return open;
}

const MAPS = new Set(['properties', '$defs', 'definitions']);
const BRANCHES = new Set(['allOf', 'anyOf', 'oneOf']);
const CONDITIONS = new Set(['not', 'if', 'then', 'else']);

/** Refuses unknown keys itself, or through every one of its branches. */
function isClosed(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  if (
    schema.additionalProperties === false ||
    schema.unevaluatedProperties === false ||
    isObject(schema.additionalProperties) ||
    typeof schema.$ref === 'string'
  ) {
    return true;
  }
  const branches = schema.oneOf ?? schema.anyOf;
  return (
    Array.isArray(branches) &&
    branches.length > 0 &&
    branches.every((branch) => isClosed(branch))
  );
}

function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
