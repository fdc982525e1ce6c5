import { inspect } from 'node:util';

/**
 * The secrets of an MLflow connection, kept out of reach of anything that prints: fields are
 * private, `JSON.stringify` and `util.inspect` show a placeholder, and `redact` cuts every secret
 * (and its encoded forms) out of a text before it is shown or stored. Basic credentials
 * (MLFLOW_TRACKING_USERNAME / _PASSWORD) take precedence over a bearer token (MLFLOW_TRACKING_TOKEN),
 * as in the official client.
 */
export class MlflowCredentials {
  readonly #header: string | undefined;
  readonly #secrets: readonly string[];
  /** `basic`, `bearer` or `none`: safe to print. */
  readonly kind: 'basic' | 'bearer' | 'none';

  private constructor(kind: 'basic' | 'bearer' | 'none', header: string | undefined, secrets: readonly string[]) {
    this.kind = kind;
    this.#header = header;
    // Longest first, so that a secret containing another is cut out whole.
    this.#secrets = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  }

  static none(): MlflowCredentials {
    return new MlflowCredentials('none', undefined, []);
  }

  static from(c: { username?: string; password?: string; token?: string }): MlflowCredentials {
    const secrets = [c.password, c.token].filter((s): s is string => !!s);
    const extra = secrets.flatMap((s) => [encodeURIComponent(s), Buffer.from(s).toString('base64')]);
    if (c.username !== undefined && c.password !== undefined) {
      const basic = Buffer.from(`${c.username}:${c.password}`).toString('base64');
      return new MlflowCredentials('basic', `Basic ${basic}`, [...secrets, ...extra, basic]);
    }
    if (c.token) return new MlflowCredentials('bearer', `Bearer ${c.token}`, [...secrets, ...extra]);
    return new MlflowCredentials('none', undefined, [...secrets, ...extra]);
  }

  /** The `Authorization` header value, or undefined without credentials. */
  authorization(): string | undefined {
    return this.#header;
  }

  /** `text` with every secret replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join('***');
    return out;
  }

  toJSON(): string {
    return `[credentials: ${this.kind}]`;
  }

  toString(): string {
    return this.toJSON();
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}
