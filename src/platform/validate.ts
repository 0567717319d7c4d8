import { invalidArgument } from "./errors";

/**
 * Argument checks shared by the use cases. Field names are the JSON names of
 * the contract, so a client can point at the field.
 */

// C0/C1 control characters (tab, CR and LF are allowed in free text only).
const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const lineBreaks = /[\t\r\n]/;
// One object for every check: a regex literal inside a function is a new RegExp per call.
const idChars = /^[A-Za-z0-9._-]+$/;

export function requireText(field: string, value: string, maxLength: number): string {
  const text = value.trim();
  if (!text) throw invalidArgument(field, `${field} is required`);
  return optionalText(field, text, maxLength);
}

export function optionalText(field: string, value: string, maxLength: number, multiline = false): string {
  if (value.length > maxLength) throw invalidArgument(field, `${field} is longer than ${maxLength} characters`);
  if (controlChars.test(value) || (!multiline && lineBreaks.test(value))) {
    throw invalidArgument(field, `${field} contains control characters`);
  }
  if (value.includes("\uFFFD")) throw invalidArgument(field, `${field} is not valid UTF-8`);
  return value;
}

export interface Page {
  pageNo: number;
  pageSize: number;
  offset: number;
}

const maxPageSize = 100;

export function requirePage(pageNo: number, pageSize: number): Page {
  if (!Number.isInteger(pageNo) || pageNo < 1 || pageNo > 1_000_000) {
    throw invalidArgument("pageNo", "pageNo must be an integer from 1");
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw invalidArgument("pageSize", `pageSize must be from 1 to ${maxPageSize}`);
  }
  return { pageNo, pageSize, offset: (pageNo - 1) * pageSize };
}

export function requireIntegerInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An epoch-millisecond time: a whole number between 1970 and 2200. */
export function requireEpochMs(field: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0 || value > 7_258_118_400_000) {
    throw invalidArgument(field, `${field} must be epoch milliseconds`);
  }
  return value;
}

/** Ids are ours (24 hex) or operators' codes: letters, digits, '-', '_', '.', at most 64. */
export function requireId(field: string, value: string): string {
  const id = requireText(field, value, 64);
  if (!idChars.test(id)) throw invalidArgument(field, `${field} is not a valid id`);
  return id;
}
