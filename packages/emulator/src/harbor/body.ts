import type { IncomingMessage } from 'node:http';
import { readBody } from '../http';
import { badRequest, unprocessable } from './errors';

/**
 * Request-body binding as Harbor's go-swagger server does it before a
 * handler runs: a missing body is a 422, JSON that does not fit the Go
 * model is a 400 worded like encoding/json's error.
 */

type GoType = 'string' | 'int64' | 'bool' | 'object' | 'array';

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function fits(value: unknown, type: GoType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int64':
      return typeof value === 'number' && Number.isInteger(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === 'object' && !Array.isArray(value);
  }
}

/** A parsed JSON body and the names go-swagger uses in its errors. */
export class JsonBody {
  private constructor(
    /** The parameter name in the swagger (`project`, `robot`, `robotSec`). */
    private readonly parameter: string,
    /** The Go model name (`ProjectReq`, `RobotCreate`). */
    private readonly model: string,
    /** The decoded body (an object). */
    readonly value: Record<string, unknown>,
  ) {}

  /** Reads a required body; 422 when absent, 400 when it is not a JSON object. */
  static async read(
    req: IncomingMessage,
    parameter: string,
    model: string,
  ): Promise<JsonBody> {
    const text = (await readBody(req)).toString('utf8');
    if (text.trim() === '')
      throw unprocessable(`${parameter} in body is required`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badRequest(
        `parsing ${parameter} body from "" failed, because ${
          (error as Error).message
        }`,
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw badRequest(
        `parsing ${parameter} body from "" failed, because json: cannot unmarshal ${jsonKind(
          value,
        )} into Go value of type models.${model}`,
      );
    }
    return new JsonBody(parameter, model, value as Record<string, unknown>);
  }

  /** The error of a value that does not fit its Go field. */
  mismatch(path: string, value: unknown, type: GoType | string) {
    return badRequest(
      `parsing ${
        this.parameter
      } body from "" failed, because json: cannot unmarshal ${jsonKind(
        value,
      )} into Go struct field ${this.model}.${path} of type ${type}`,
    );
  }

  /**
   * A field of `object` (the body or a nested object at `path`), checked
   * against its Go type; undefined when absent or null (Go's zero value).
   */
  field<T>(
    object: Record<string, unknown>,
    key: string,
    type: GoType,
    path = key,
  ): T | undefined {
    const value = object[key];
    if (value === undefined || value === null) return undefined;
    if (!fits(value, type)) throw this.mismatch(path, value, type);
    return value as T;
  }
}
