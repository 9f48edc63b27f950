/** Parsers for command-line values: a wrong value is a usage error naming what was expected, never a stack. */
import { InvalidArgumentError } from "commander";

/** A whole number in [min, max] (commander option parser). */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^[+-]?\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`use a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** A dead letter's id as `rapport dead-letters list` shows it (12 or #12); variadic, so it collects. */
export function deadLetterId(value: string, previous: number[] = []): number[] {
  const digits = /^#?(\d{1,15})$/.exec(value.trim())?.[1];
  if (!digits)
    throw new InvalidArgumentError(`"${value}" is not a dead letter id (a number, e.g. 12 or #12).`);
  return [...previous, Number(digits)];
}
