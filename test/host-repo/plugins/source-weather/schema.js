/** The `with:` block of `source: { use: weather }`: closed, 2020-12. */
export const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['api_url', 'stations'],
  properties: {
    api_url: {
      type: 'string',
      pattern: '^https?://',
      description: 'Base URL of the weather API',
    },
    stations: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^[A-Z0-9]{4}$' },
      description: 'Station codes, e.g. KSEA',
    },
    page_size: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'Observations per request; default 100',
    },
  },
};
