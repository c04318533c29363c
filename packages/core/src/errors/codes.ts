// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is our syntax
/**
 * Every code a user can meet in `backfill validate` and the loaders, and
 * the daemon's refusal of such a file, sorted, with what it means.
 * docs/pipeline-language.md lists the same codes; a test keeps the two in
 * step.
 */
export const ERROR_CODES = {
  ALIAS_LIMIT: 'YAML aliases expand past the safety limit (an alias bomb)',
  AMBIGUOUS_USE: 'a `use:` name is provided by more than one plugin',
  BLOCK_ORDER: '`start_block` is after `end_block`',
  CONFIG_INVALID: 'the host config file cannot be loaded',
  CRON_INVALID: 'a `schedule` is not a 5- or 6-field cron expression',
  CRON_NEVER_RUNS: 'a `schedule` matches no date (30 February)',
  DUPLICATE_KEY: 'a key appears twice in the same mapping',
  DUPLICATE_PIPELINE: 'two pipelines share one name',
  DURATION_INVALID: 'a duration is not like `6h`, `30m`, `1h30m`, `500ms`',
  EMPTY_FILE: 'the file holds no document',
  EMPTY_FOLDER: 'a folder given as a path holds no pipeline files',
  ENV_REQUIRED: 'a `${VAR:?message}` variable is unset or empty',
  ENV_SYNTAX: 'a `${...}` reference is malformed',
  ENV_UNSET: 'a `${VAR}` variable without a default is unset',
  FILE_TOO_LARGE: 'the file is larger than the 1 MiB limit',
  FILE_UNREADABLE: 'the file cannot be read',
  INVALID_VALUE: 'a value is not one the schema allows',
  JOB_DISABLED: 'warning: a disabled job or pipeline, skipped',
  JOB_NAME_INVALID: 'a job name holds a control character or line break',
  MISSING_KEY: 'a required key is absent',
  MULTIPLE_DOCUMENTS: 'a pipeline file holds more than one YAML document',
  NOT_JOB_LIST: 'a pipeline file was given where a job list is read',
  NOT_TEXT: 'the file is not UTF-8 text (a binary file?)',
  OUT_OF_RANGE: 'a number is outside its allowed range',
  PATH_NOT_FOUND: 'a path given to validate or run does not exist (usage)',
  PLUGIN_API_MISMATCH: 'a plugin was built for another major plugin API',
  PLUGIN_CHECK_FAILED: "a plugin's check() threw instead of reporting",
  PLUGIN_LOAD_FAILED: 'a plugin was found but importing it threw',
  PLUGIN_NOT_FOUND: 'a plugin package or file cannot be found',
  PLUGIN_PARAM: "a plugin's own check() rejected its `with:` block",
  PLUGIN_SHAPE: 'a plugin is not made by definePlugin or lacks fields',
  SCHEDULE_CONFLICT: 'both `schedule` and `interval` are set',
  START_INVALID_PIPELINES: 'start or a SIGHUP reload met a file with errors',
  SYNTAX_ERROR: 'the YAML or JSON text cannot be parsed',
  TIMEZONE_INVALID: 'a `timezone` is not an IANA time zone',
  TIME_INVALID: 'a time is not an ISO-8601 date or date-time',
  UNKNOWN_ANCHOR: 'a YAML alias names an anchor that does not exist',
  UNKNOWN_KEY: 'a key the schema does not know (closed schemas)',
  UNKNOWN_USE: 'a `use:` names no source, transform or store',
  WINDOW_CONFLICT: '`window` mixes two forms (last, from/to, blocks)',
  WINDOW_ORDER: '`window.from` is not before `window.to`',
  WRONG_TYPE: 'a value has the wrong type',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
