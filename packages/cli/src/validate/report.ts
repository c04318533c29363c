import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

import type { Diagnostic, FileReport } from '@backfill/core';

/** The `--json` document's version; bump it when its shape changes. */
export const REPORT_SCHEMA_VERSION = 1;

/** The `--json` document: one entry per file, every error with its place. */
export function jsonReport(files: FileReport[], cwd: string) {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    files: files.map((file) => ({
      path: shown(file.file, cwd),
      valid: file.valid,
      ...(file.skipped.length
        ? {
            skipped: file.skipped.map((s) => ({
              name: s.name,
              line: s.line,
              column: s.column,
              pointer: s.pointer,
            })),
          }
        : {}),
      errors: file.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => ({
          code: d.code,
          message: d.message,
          line: d.line,
          column: d.column,
          pointer: d.pointer,
          ...(d.expected !== undefined ? { expected: d.expected } : {}),
          ...(d.hint !== undefined ? { hint: d.hint } : {}),
          ...(d.stack !== undefined ? { stack: d.stack } : {}),
        })),
    })),
  };
}

export interface HumanOptions {
  cwd: string;
  /** Show the lines around each error (on a terminal). */
  frames: boolean;
  /** The text of `$BACKFILL_JOBS`, for its frames. */
  sources?: Record<string, string>;
}

/** `path:line:col: CODE message` lines, frames and a summary line. */
export function humanReport(files: FileReport[], options: HumanOptions) {
  const lines: string[] = [];
  let errors = 0;
  let pipelines = 0;
  let skipped = 0;
  for (const file of files) {
    const path = shown(file.file, options.cwd);
    const text = options.frames ? sourceOf(file.file, options) : undefined;
    const entries: Diagnostic[] = [
      ...file.diagnostics,
      ...file.skipped.map(
        (s): Diagnostic => ({
          code: 'JOB_DISABLED',
          severity: 'warning',
          message: `"${s.name}" is disabled (enabled: false): skipped`,
          file: file.file,
          line: s.line,
          column: s.column,
          pointer: s.pointer,
        }),
      ),
    ].sort((a, b) => a.line - b.line || a.column - b.column);
    for (const d of entries) {
      if (d.severity === 'error') errors++;
      const place = d.line > 0 ? `${path}:${d.line}:${d.column}` : path;
      lines.push(`${place}: ${d.code} ${d.message}`);
      if (d.stack) lines.push(indent(d.stack));
      if (text !== undefined && d.line > 0) {
        lines.push(codeFrame(text, d.line, d.column), '');
      }
    }
    pipelines += file.pipelines.length;
    skipped += file.skipped.length;
  }
  const invalid = files.filter((f) => !f.valid).length;
  lines.push(
    `${files.length} file${files.length === 1 ? '' : 's'} checked: ` +
      `${files.length - invalid} valid, ${invalid} invalid, ` +
      `${errors} error${errors === 1 ? '' : 's'}; ` +
      `${pipelines} pipeline${pipelines === 1 ? '' : 's'}` +
      (skipped ? ` (${skipped} disabled, skipped)` : ''),
  );
  return `${lines.join('\n')}\n`;
}

/** Two lines of context, the line, and a caret under the column. */
export function codeFrame(text: string, line: number, column: number) {
  const all = text.split(/\r?\n/);
  const first = Math.max(1, line - 2);
  const last = Math.min(all.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const mark = n === line ? '>' : ' ';
    const source = (all[n - 1] ?? '').replaceAll('\t', ' ');
    out.push(`${mark} ${String(n).padStart(width)} | ${source}`.trimEnd());
    if (n === line) {
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(column - 1)}^`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------

function shown(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function sourceOf(file: string, options: HumanOptions): string | undefined {
  if (options.sources?.[file] !== undefined) return options.sources[file];
  try {
    return readFileSync(
      isAbsolute(file) ? file : `${options.cwd}/${file}`,
      'utf8',
    );
  } catch {
    return undefined;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
