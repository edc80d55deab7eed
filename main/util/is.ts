// Small predicates and the one error shape for bad parameters (the sharp way: validate in TS,
// name the option at fault, say what was expected and what came).

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isInteger = (v: unknown): v is number => Number.isInteger(v);
export const inRange = (v: number, min: number, max: number) => v >= min && v <= max;

/** An error whose `.code` says what kind of failure it is, kept across the transport. */
export class ProbeDeckError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProbeDeckError';
    this.code = code;
  }
}

function describe(actual: unknown): string {
  if (actual === null) return 'null';
  if (Array.isArray(actual)) return `an array of length ${actual.length}`;
  if (typeof actual === 'string') return `the string "${actual.length > 40 ? actual.slice(0, 40) + '…' : actual}"`;
  if (typeof actual === 'number') return `${actual}`;
  return typeof actual;
}

export function invalidParameterError(name: string, expected: string, actual: unknown): ProbeDeckError {
  return new ProbeDeckError('INVALID_PARAMETER', `Expected ${expected} for "${name}" but received ${describe(actual)}`);
}
