// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is our syntax
/**
 * `${VAR}` references inside one scalar's text, resolved against an
 * environment. Positions are offsets into the scalar's value, so that the
 * loader can point at the variable itself.
 */
export interface EnvProblem {
  code: 'ENV_UNSET' | 'ENV_REQUIRED' | 'ENV_SYNTAX';
  message: string;
  /** Offset of the `$` in the value, and the variable's name if known. */
  offset: number;
  name?: string;
  /** Index of this reference among the value's `${` occurrences. */
  occurrence: number;
}

export interface EnvResult {
  value: string;
  problems: EnvProblem[];
  /** Values taken from the environment: secrets to redact. */
  resolved: string[];
  /** True when some reference was left unresolved (`--no-env`). */
  placeholder: boolean;
  /** True when the whole text was one `${...}` reference. */
  whole: boolean;
}

export interface EnvOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Treat every variable as set: structure-only checks without secrets. */
  noEnv?: boolean;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/y;

/** Resolves every reference in `text`; `$${` stands for a literal `${`. */
export function resolveEnv(text: string, options: EnvOptions): EnvResult {
  const result: EnvResult = {
    value: text,
    problems: [],
    resolved: [],
    placeholder: false,
    whole: false,
  };
  if (!text.includes('${')) return result;

  let out = '';
  let i = 0;
  let occurrence = 0;
  let references = 0;
  while (i < text.length) {
    const start = text.indexOf('$', i);
    if (start === -1) break;
    out += text.slice(i, start);
    if (text.startsWith('$${', start)) {
      out += '${';
      i = start + 3;
      occurrence++;
      continue;
    }
    if (!text.startsWith('${', start)) {
      out += '$';
      i = start + 1;
      continue;
    }
    REFERENCE.lastIndex = start;
    const match = REFERENCE.exec(text);
    if (!match) {
      result.problems.push({
        code: 'ENV_SYNTAX',
        message:
          `malformed variable reference "${snippet(text, start)}": ` +
          'expected ${NAME}, ${NAME:-default} or ${NAME:?message} ' +
          '(write $${ for a literal ${)',
        offset: start,
        occurrence,
      });
      out += '${';
      i = start + 2;
      occurrence++;
      continue;
    }
    references++;
    out += substitute(match, start, occurrence, options, result);
    i = start + match[0].length;
    occurrence++;
  }
  out += text.slice(i);
  result.value = out;
  result.whole =
    references === 1 && occurrence === 1 && /^\$\{[^}]*\}$/.test(text);
  return result;
}

// ---------------------------------------------------------------------------

function substitute(
  match: RegExpExecArray,
  offset: number,
  occurrence: number,
  options: EnvOptions,
  result: EnvResult,
): string {
  const [reference, name = '', operator, argument = ''] = match;
  if (options.noEnv) {
    if (operator === ':-') return argument;
    result.placeholder = true;
    return reference;
  }

  const value = options.env[name];
  if (operator === undefined) {
    if (value !== undefined) return take(value, result);
    result.problems.push({
      code: 'ENV_UNSET',
      message:
        `environment variable ${name} is not set ` +
        `(give a default with \${${name}:-value}, or run with --no-env)`,
      offset,
      name,
      occurrence,
    });
    return '';
  }
  if (value !== undefined && value !== '') return take(value, result);
  if (operator === ':-') return argument;
  result.problems.push({
    code: 'ENV_REQUIRED',
    message: argument
      ? `environment variable ${name} is required: ${argument}`
      : `environment variable ${name} is required and unset or empty`,
    offset,
    name,
    occurrence,
  });
  return '';
}

function take(value: string, result: EnvResult): string {
  if (value !== '') result.resolved.push(value);
  return value;
}

function snippet(text: string, start: number): string {
  const end = text.indexOf('}', start);
  const stop = end === -1 ? Math.min(text.length, start + 20) : end + 1;
  return text.slice(start, Math.min(stop, start + 40));
}
