import type { Diagnostic } from '../errors/diagnostic.ts';
import type { LoadedDocument } from '../loader/document.ts';
import type {
  DefinitionOf,
  LoadedPlugin,
  StepKind,
} from '../plugins/registry.ts';
import { compileSchema } from './ajv.ts';
import type { ValidationContext } from './context.ts';
import { schemaDiagnostics } from './schema-errors.ts';

export interface StepPlace {
  /** Pointer of the `use` value (or what stands for it). */
  use: string;
  /** Pointer of the `with:` block (it may be absent from the file). */
  with: string;
}

export interface StepCheck<K extends StepKind> {
  definition?: DefinitionOf[K];
  plugin?: LoadedPlugin;
  diagnostics: Diagnostic[];
}

/**
 * Resolves a step's `use:` in the registry, then checks its `with:` block
 * against the plugin's schema and its check(), at the block's positions.
 */
export function checkStep<K extends StepKind>(
  kind: K,
  use: unknown,
  params: unknown,
  place: StepPlace,
  doc: LoadedDocument,
  ctx: ValidationContext,
): StepCheck<K> {
  const registry = ctx.registry;
  if (!registry || typeof use !== 'string') return { diagnostics: [] };
  const error = (
    code: string,
    message: string,
    pointer: string,
    extra: Partial<Diagnostic> = {},
  ): Diagnostic => ({
    code,
    severity: 'error',
    message,
    file: doc.file,
    ...doc.locate(pointer),
    pointer,
    ...extra,
  });

  const found = registry.lookup(kind, use);
  if (!found.ok) {
    const { code, message, expected, hint } = found;
    return {
      diagnostics: [
        error(code, message, place.use, {
          ...(expected ? { expected } : {}),
          ...(hint ? { hint } : {}),
        }),
      ],
    };
  }

  const { definition, plugin } = found;
  const value = params ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { definition, plugin, diagnostics: [] }; // the schema said so
  }
  let diagnostics: Diagnostic[];
  try {
    const validate = compileSchema(definition.schema);
    diagnostics = validate(value)
      ? []
      : schemaDiagnostics(validate.errors, {
          file: doc.file,
          base: place.with,
          locate: doc.locate,
        });
  } catch (cause) {
    diagnostics = [
      error(
        'PLUGIN_SHAPE',
        `the schema of ${kind} "${definition.name}" (plugin ` +
          `${plugin.plugin.name}) does not compile: ${(cause as Error).message}`,
        place.use,
      ),
    ];
  }

  const check = (definition as { check?: DefinitionOf['source']['check'] })
    .check;
  if (diagnostics.length === 0 && check) {
    diagnostics = runCheck(check, definition.name, value, place, doc, ctx);
  }
  return {
    definition,
    plugin,
    diagnostics: diagnostics.filter((d) => !isPlaceholder(d.pointer, doc)),
  };
}

// ---------------------------------------------------------------------------

function runCheck(
  check: NonNullable<DefinitionOf['source']['check']>,
  name: string,
  params: object,
  place: StepPlace,
  doc: LoadedDocument,
  ctx: ValidationContext,
): Diagnostic[] {
  const settings = {
    ...(ctx.config?.settings?.[name] ?? {}),
    program_aliases: ctx.config?.program_aliases ?? {},
  };
  try {
    return check(params, settings).map((problem) => {
      const pointer = place.with + problem.pointer;
      return {
        code: problem.code || 'PLUGIN_PARAM',
        severity: 'error',
        message: problem.message,
        file: doc.file,
        ...doc.locate(pointer),
        pointer,
      };
    });
  } catch (cause) {
    return [
      {
        code: 'PLUGIN_CHECK_FAILED',
        severity: 'error',
        message: `check() of "${name}" threw: ${(cause as Error).message}`,
        file: doc.file,
        ...doc.locate(place.use),
        pointer: place.use,
        ...((cause as Error).stack ? { stack: (cause as Error).stack } : {}),
      },
    ];
  }
}

/** True when the pointer is, or is inside, a `--no-env` placeholder. */
export function isPlaceholder(pointer: string, doc: LoadedDocument): boolean {
  for (const p of doc.placeholders) {
    if (pointer === p || pointer.startsWith(`${p}/`)) return true;
  }
  return false;
}
