// The pipeline's default sizes, in a module of their own: the server's configuration
// (config/server-config.ts) takes them as its defaults without loading the pipeline.

/** Default write-behind batch and queue capacity (see SERVER_DEFAULTS for why these sizes). */
export const PIPELINE_DEFAULTS = { batchSize: 5_000, queueCapacity: 20_000 } as const;
