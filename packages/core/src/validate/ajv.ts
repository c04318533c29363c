import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

import { FORMATS } from './formats.ts';

let shared: Ajv2020 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The one ajv instance of the process: JSON Schema 2020-12, every error at
 * once, with the failing schema attached (for "did you mean" and the
 * discriminator).
 */
export function schemaValidator(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: false,
      validateFormats: true,
    });
    for (const [name, problem] of Object.entries(FORMATS)) {
      shared.addFormat(name, {
        type: 'string',
        validate: (text: string) => problem(text) === null,
      });
    }
  }
  return shared;
}

/** Compiles a schema once; later calls with the same object are free. */
export function compileSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const ajv = schemaValidator();
    const id = (schema as { $id?: unknown }).$id;
    const known = typeof id === 'string' ? ajv.getSchema(id) : undefined;
    validate = known ?? ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}
