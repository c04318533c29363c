import type { RunProgress } from './progress.ts';
import type { StatusReport } from './report.ts';

/**
 * The report as text for a terminal: one line per pipeline, then the
 * active, failed and completed runs. `--json` prints the report itself.
 */
export function formatStatus(report: StatusReport): string {
  const out: string[] = [];
  if (report.pipelines.length === 0) {
    return 'no runs yet: start one with `backfill run <pipeline>`\n';
  }
  out.push(
    ...table(
      [
        'PIPELINE',
        'LAST RUN',
        'LAST SUCCESS',
        'CHUNKS D/R/P/F',
        'GAPS',
        'DLQ',
        'NEXT RUN',
      ],
      report.pipelines.map((p) => [
        p.name,
        p.lastRun?.status ?? '-',
        p.lastSuccessAt ?? '-',
        `${p.chunks.done}/${p.chunks.running}/${p.chunks.pending}/${p.chunks.failed}`,
        String(p.gaps),
        String(p.deadLetters),
        p.nextRunAt ?? '-',
      ]),
    ),
  );
  for (const [title, runs] of [
    ['active runs', report.active],
    ['failed runs', report.failed],
    ['completed runs', report.completed],
  ] as const) {
    if (runs.length === 0) continue;
    out.push('', `${title}:`, ...table(RUN_HEADER, runs.map(runLine)));
  }
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------

const RUN_HEADER = [
  'RUN',
  'PIPELINE',
  'STATUS',
  'STARTED',
  'DONE',
  'FETCHED',
  'STORED',
  'RATE/S',
  'ETA',
  'GAPS',
  'DLQ',
];

function runLine(run: RunProgress): string[] {
  return [
    run.id.slice(0, 8),
    run.pipeline,
    run.stale ? 'running (stale)' : run.status,
    run.startedAt,
    `${(run.fraction * 100).toFixed(1)}%`,
    String(run.recordsFetched),
    String(run.recordsStored),
    run.ratePerSecond === null ? '-' : run.ratePerSecond.toFixed(1),
    run.etaSeconds === null ? '-' : duration(run.etaSeconds),
    String(run.gaps),
    String(run.deadLetters),
  ];
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** 3725 -> `1h2m`, 59 -> `59s`. */
function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${seconds % 60}s`;
  return `${seconds}s`;
}
