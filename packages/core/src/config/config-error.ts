/**
 * A problem with user input (config, CLI arguments, data files) that the user can fix.
 * The runner prints `message` alone and exits with status 2; nothing has been written.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Every problem found, one line each (message holds them joined). */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  static of(problems: readonly string[]): ConfigError {
    return new ConfigError(problems.join('\n'), problems);
  }
}

/** A data file that is malformed (bad magic number, truncated, checksum mismatch…). */
export class DataError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DataError';
  }
}
