/** Structured log lines; `fields` never carry secrets, message bodies or personal data. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that stamps every line with the plugin's name, as Rollup stamps `plugin`. */
export function pluginLogger(logger: Logger, plugin: string): Logger {
  return {
    debug: (message, fields) => logger.debug(message, { plugin, ...fields }),
    info: (message, fields) => logger.info(message, { plugin, ...fields }),
    warn: (message, fields) => logger.warn(message, { plugin, ...fields }),
    error: (message, fields) => logger.error(message, { plugin, ...fields }),
  };
}
