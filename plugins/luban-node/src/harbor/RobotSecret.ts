import { inspect } from 'node:util';

const REDACTED = '[redacted robot secret]';

/**
 * A Harbor robot account's secret. It never serializes: JSON, string
 * conversion, template literals and `util.inspect` (and so loggers) all see
 * a placeholder; only {@link RobotSecret.reveal} returns the value, for the
 * one place that writes it into a Kubernetes Secret.
 * @public
 */
export class RobotSecret {
  readonly #value: string;

  constructor(
    /** The robot account's full name, e.g. `robot$acme+luban`. */
    readonly username: string,
    value: string,
  ) {
    this.#value = value;
  }

  /** The secret itself. Call it only to hand the value to its destination. */
  reveal(): string {
    return this.#value;
  }

  /** The `.dockerconfigjson` content that lets a client push and pull with this robot. */
  dockerConfigJson(registryHost: string): string {
    const auth = Buffer.from(`${this.username}:${this.#value}`).toString('base64');
    return JSON.stringify({
      auths: { [registryHost]: { username: this.username, password: this.#value, auth } },
    });
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
