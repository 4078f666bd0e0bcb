// The layers of src/, bottom first: each folder imports only from the layers before it.
// eslint.config.mjs enforces them; ARCHITECTURE.md shows the same list (test/architecture.test.ts
// compares the two, and holds every folder of src/ to a layer).
export const LAYERS = [
  ['redact'],
  ['core'],
  ['export'],
  ['context', 'tracing', 'runtime', 'jobs'],
  ['http'],
  ['decorators'],
  ['controller', 'nest', 'fastify', 'otel', 'cluster', 'slo', 'ui', 'push'],
  ['cli'],
];
