/** A JSON value: what cursors and records must be made of. */
export type Json =
  | null
  | boolean
  | number
  | string
  | Json[]
  | { [key: string]: Json };

/** A JSON Schema document (2020-12), as a plain object. */
export type JsonSchema = { [key: string]: unknown };
