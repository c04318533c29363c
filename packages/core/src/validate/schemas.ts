import { readFileSync } from 'node:fs';

/** Reads a schema shipped in this package (packages/core/schemas). */
function shipped(name: string): Record<string, unknown> {
  const url = new URL(`../../schemas/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}

/** The pipeline file schema (schemas/pipeline.schema.json). */
export const pipelineSchema = shipped('pipeline.schema.json');
/** The older job-list format (schemas/job-list.schema.json). */
export const jobListSchema = shipped('job-list.schema.json');
/** The host config file (schemas/config.schema.json). */
export const configSchema = shipped('config.schema.json');
