// Offline validation of envoy.yaml against Envoy's own v3 API protos.
//
// No Envoy binary can be installed here, so instead of `envoy --mode validate`
// we load the envoy-api / xds / protoc-gen-validate / googleapis protos that
// the devDependency @grpc/grpc-js-xds ships under deps/, and walk the YAML
// document the way Envoy's proto3-JSON loader does:
//
// - every key must be a field of the message (proto name or lowerCamelCase
//   JSON name, not both at once), at most one member of a oneof is set;
// - scalars must fit their proto type (ranges for 32-bit ints, integer
//   strings for 64-bit ints, base64 for bytes), enum values must be known
//   names (or known numbers);
// - well-known types use their JSON forms: Duration "5s", Timestamp RFC 3339,
//   wrappers as plain scalars, Struct/Value as any JSON, FieldMask a string;
// - every google.protobuf.Any (typed_config and friends) carries an "@type"
//   naming a loaded message type, and its other keys are walked against that
//   type (WKTs with a special JSON form carry it under "value");
// - fields and enum values marked `deprecated = true` (Envoy's deprecated
//   features, fatal-by-default in later releases) and fields marked
//   `envoy.annotations.disallowed_by_default` are rejected;
// - the common protoc-gen-validate rules that Envoy enforces at load time
//   are checked: message/duration/any `required`, oneof `(validate.required)`,
//   string lengths/prefix/in, numeric and duration bounds, enum in/not_in,
//   repeated item counts (and item rules), map pair counts.
//
// It is a static check of the configuration's *shape*; runtime checks such
// as "this cluster name exists" or extension-specific semantics are left to
// the assertions in test/envoy-config.test.ts.

import * as fs from "node:fs";
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { parseDocument } from "yaml";
import { createFileRegistry, fromBinary, getOption } from "@bufbuild/protobuf";
import type { DescExtension, DescMethod, FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

export const BOOTSTRAP_TYPE = "envoy.config.bootstrap.v3.Bootstrap";

// ---------------------------------------------------------------------------
// Loading Envoy's API protos (once per process)
// ---------------------------------------------------------------------------

const XDS_DEPS = path.join(
  path.dirname(require.resolve("@grpc/grpc-js-xds/package.json")),
  "deps",
);
// descriptor.proto (imported by every annotation file) comes from protobufjs;
// the other google/protobuf WKTs are bundled inside protobufjs itself.
const PROTOBUFJS_DIR = path.dirname(require.resolve("protobufjs/package.json"));
const INCLUDE_DIRS = [
  path.join(XDS_DEPS, "envoy-api"),
  path.join(XDS_DEPS, "xds"),
  path.join(XDS_DEPS, "protoc-gen-validate"),
  path.join(XDS_DEPS, "googleapis"),
  PROTOBUFJS_DIR,
];
const BUNDLED_WKT = new Set(
  ["any", "duration", "timestamp", "empty", "struct", "wrappers", "field_mask"].map(
    (n) => `google/protobuf/${n}.proto`,
  ),
);

function findInclude(rel: string): string | undefined {
  for (const dir of INCLUDE_DIRS) {
    const candidate = path.join(dir, rel);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function listProtos(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listProtos(full, out);
    else if (entry.name.endsWith(".proto")) out.push(full);
  }
  return out;
}

/**
 * The package ships a subset of envoy-api: a few v3 files import protos it
 * does not include (opencensus, opentelemetry). Only files whose whole import
 * closure is present are loaded; everything the bootstrap needs is.
 */
function importClosureComplete(rel: string, memo: Map<string, boolean>, visiting: Set<string>): boolean {
  if (BUNDLED_WKT.has(rel)) return true;
  const known = memo.get(rel);
  if (known !== undefined) return known;
  if (visiting.has(rel)) return true; // cycle: decided by the outer frame
  visiting.add(rel);
  const file = findInclude(rel);
  let complete = file !== undefined;
  if (file) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)) {
      if (!importClosureComplete(m[1], memo, visiting)) complete = false;
    }
  }
  visiting.delete(rel);
  memo.set(rel, complete);
  return complete;
}

export interface EnvoyApi {
  root: protobuf.Root;
  /** files loaded, relative to their include dir */
  files: string[];
  /** v3 files skipped because the package lacks some of their imports */
  skipped: string[];
}

let cachedApi: EnvoyApi | undefined;

/** Loads every envoy v3 (plus xds/udpa) proto whose imports are all present. Cached. */
export function loadEnvoyApi(): EnvoyApi {
  if (cachedApi) return cachedApi;
  const candidates: string[] = [];
  const envoyDir = path.join(XDS_DEPS, "envoy-api");
  for (const f of listProtos(path.join(envoyDir, "envoy"))) {
    const rel = path.relative(envoyDir, f).split(path.sep).join("/");
    if (/\/v3(alpha)?\//.test(rel)) candidates.push(rel);
  }
  const xdsDir = path.join(XDS_DEPS, "xds");
  for (const f of listProtos(xdsDir)) candidates.push(path.relative(xdsDir, f).split(path.sep).join("/"));

  const memo = new Map<string, boolean>();
  const files: string[] = [];
  const skipped: string[] = [];
  for (const rel of candidates) {
    (importClosureComplete(rel, memo, new Set()) ? files : skipped).push(rel);
  }
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string =>
    path.isAbsolute(target) ? target : (findInclude(target) ?? target);
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  cachedApi = { root, files, skipped };
  return cachedApi;
}

// ---------------------------------------------------------------------------
// Reading envoy.yaml
// ---------------------------------------------------------------------------

/**
 * Parses YAML strictly (YAML 1.2 core schema, duplicate keys are errors), and
 * throws on any parse error or warning instead of guessing.
 */
export function parseEnvoyYaml(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new Error(`envoy.yaml does not parse: ${problems.map((p) => p.message).join("; ")}`);
  }
  return doc.toJS();
}

// ---------------------------------------------------------------------------
// The walker
// ---------------------------------------------------------------------------

type Json = unknown;
type Rules = Record<string, any>;

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const SCALARS = new Set([...Object.keys(INT_RANGES), "double", "float", "bool", "string", "bytes"]);

/** Well-known message types whose JSON form is a scalar (or anything), by full name. */
const WRAPPERS: Record<string, string> = {
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};
const SPECIAL_JSON_WKT = new Set([
  ...Object.keys(WRAPPERS),
  "google.protobuf.Duration",
  "google.protobuf.Timestamp",
  "google.protobuf.FieldMask",
  "google.protobuf.Struct",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
  "google.protobuf.Any",
]);

const DURATION_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MAX_DURATION_SECONDS = 315_576_000_000n;
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$|^[A-Za-z0-9_-]*$/;

const fullName = (t: protobuf.ReflectionObject): string => t.fullName.replace(/^\./, "");

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** proto3 JSON name: the proto name in lowerCamelCase, unless json_name overrides it. */
function jsonName(field: protobuf.Field): string {
  const explicit = field.options?.["json_name"];
  if (typeof explicit === "string") return explicit;
  return field.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Merges every `(name)` entry of protobufjs' parsedOptions into one object. */
function parsedOption(obj: protobuf.ReflectionObject, name: string): Rules | undefined {
  const parsed = (obj as unknown as { parsedOptions?: Array<Record<string, unknown>> }).parsedOptions;
  let merged: Rules | undefined;
  for (const entry of parsed ?? []) {
    if (entry && name in entry) merged = deepMerge(merged ?? {}, entry[name] as Rules);
  }
  return merged;
}

function deepMerge(a: Rules, b: Rules): Rules {
  const out: Rules = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v as Rules) : v;
  }
  return out;
}

function durationNanos(d: { seconds?: unknown; nanos?: unknown } | undefined): bigint {
  return BigInt(Number(d?.seconds ?? 0)) * 1_000_000_000n + BigInt(Number(d?.nanos ?? 0));
}

function parseDurationString(s: string): bigint | undefined {
  const m = DURATION_RE.exec(s);
  if (!m) return undefined;
  const secs = BigInt(m[2]);
  const nanos = BigInt((m[3] ?? "").padEnd(9, "0") || "0");
  const total = secs * 1_000_000_000n + nanos;
  return m[1] ? -total : total;
}

/** Compares with the PGV semantics for lt/lte/gt/gte (an inverted range means "outside"). */
function checkBounds(v: number | bigint, r: Rules, fmt: (x: any) => string): string | undefined {
  const lo = r.gt !== undefined ? { v: r.gt, incl: false } : r.gte !== undefined ? { v: r.gte, incl: true } : undefined;
  const hi = r.lt !== undefined ? { v: r.lt, incl: false } : r.lte !== undefined ? { v: r.lte, incl: true } : undefined;
  const aboveLo = lo ? (lo.incl ? v >= lo.v : v > lo.v) : true;
  const belowHi = hi ? (hi.incl ? v <= hi.v : v < hi.v) : true;
  if (lo && hi && hi.v < lo.v) {
    // exclusive range: valid outside (hi, lo)
    if (!(aboveLo || belowHi)) return `must be ${hi.incl ? "<=" : "<"} ${fmt(hi.v)} or ${lo.incl ? ">=" : ">"} ${fmt(lo.v)}`;
    return undefined;
  }
  if (!aboveLo) return `must be ${lo!.incl ? ">=" : ">"} ${fmt(lo!.v)}`;
  if (!belowHi) return `must be ${hi!.incl ? "<=" : "<"} ${fmt(hi!.v)}`;
  return undefined;
}

class EnvoyConfigWalker {
  readonly errors: string[] = [];
  private readonly nameIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

  constructor(private readonly root: protobuf.Root) {}

  private fail(at: string, message: string): void {
    this.errors.push(`${at || "<root>"}: ${message}`);
  }

  private lookupMessage(name: string): protobuf.Type | undefined {
    const found = this.root.lookup(name.startsWith(".") ? name : `.${name}`);
    return found instanceof protobuf.Type ? found : undefined;
  }

  /** Walks `value` as the JSON form of message `typeName`. */
  walk(value: Json, typeName: string, at = ""): this {
    const type = this.lookupMessage(typeName);
    if (!type) throw new Error(`message type ${typeName} is not loaded`);
    if (!isPlainObject(value)) this.fail(at, `expected an object for ${typeName}, got ${show(value)}`);
    else this.message(value, type, at);
    return this;
  }

  private fieldsByName(type: protobuf.Type): Map<string, protobuf.Field> {
    let index = this.nameIndex.get(type);
    if (!index) {
      index = new Map();
      for (const f of type.fieldsArray) {
        index.set(f.name, f);
        index.set(jsonName(f), f);
      }
      this.nameIndex.set(type, index);
    }
    return index;
  }

  /** Any JSON value for a field whose type is a message (WKT or plain). */
  private messageValue(value: Json, type: protobuf.Type, at: string): void {
    const name = fullName(type);
    const wrapped = WRAPPERS[name];
    if (wrapped) return this.scalar(value, wrapped, at);
    switch (name) {
      case "google.protobuf.Duration":
        if (typeof value !== "string") return this.fail(at, `a Duration must be a string like "5s", got ${show(value)}`);
        {
          const n = parseDurationString(value);
          if (n === undefined) return this.fail(at, `"${value}" is not a Duration (use e.g. "5s" or "0.250s")`);
          if (n > MAX_DURATION_SECONDS * 1_000_000_000n || n < -MAX_DURATION_SECONDS * 1_000_000_000n)
            return this.fail(at, `Duration "${value}" is out of range`);
        }
        return;
      case "google.protobuf.Timestamp":
        if (typeof value !== "string" || !TIMESTAMP_RE.test(value))
          this.fail(at, `a Timestamp must be an RFC 3339 string, got ${show(value)}`);
        return;
      case "google.protobuf.FieldMask":
        if (typeof value !== "string") this.fail(at, `a FieldMask must be a string, got ${show(value)}`);
        return;
      case "google.protobuf.Struct":
        if (!isPlainObject(value)) this.fail(at, `a Struct must be an object, got ${show(value)}`);
        return;
      case "google.protobuf.ListValue":
        if (!Array.isArray(value)) this.fail(at, `a ListValue must be a list, got ${show(value)}`);
        return;
      case "google.protobuf.Value":
        return; // any JSON value
      case "google.protobuf.Any":
        return this.any(value, at);
    }
    if (!isPlainObject(value)) return this.fail(at, `expected an object for ${name}, got ${show(value)}`);
    this.message(value, type, at);
  }

  private any(value: Json, at: string): void {
    if (!isPlainObject(value)) return this.fail(at, `an Any must be an object with "@type", got ${show(value)}`);
    const url = value["@type"];
    if (typeof url !== "string") return this.fail(at, `an Any (typed_config) must carry a string "@type"`);
    const m = /^[^\s]*\/([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(url);
    if (!m) return this.fail(at, `"@type" ${JSON.stringify(url)} is not a type URL like type.googleapis.com/pkg.Message`);
    const type = this.lookupMessage(m[1]);
    if (!type) return this.fail(at, `"@type" ${url} does not resolve to a loaded message type`);
    const where = `${at}<${m[1]}>`;
    if (SPECIAL_JSON_WKT.has(fullName(type))) {
      for (const k of Object.keys(value)) {
        if (k !== "@type" && k !== "value") this.fail(`${where}.${k}`, `unknown key in an Any holding ${m[1]} (use "value")`);
      }
      if (!("value" in value)) return this.fail(where, `an Any holding ${m[1]} needs its JSON form under "value"`);
      return this.messageValue(value.value, type, `${where}.value`);
    }
    const { "@type": _ignored, ...rest } = value;
    this.message(rest, type, where);
  }

  private message(obj: Record<string, Json>, type: protobuf.Type, at: string): void {
    const typeName = fullName(type);
    const byName = this.fieldsByName(type);
    const seen = new Map<protobuf.Field, string>();
    const present = new Set<protobuf.Field>();

    for (const [key, value] of Object.entries(obj)) {
      const here = at ? `${at}.${key}` : key;
      const field = byName.get(key);
      if (!field) {
        this.fail(here, `unknown field "${key}" in ${typeName}`);
        continue;
      }
      const earlier = seen.get(field);
      if (earlier !== undefined) {
        this.fail(here, `field ${field.name} of ${typeName} is set twice (as "${earlier}" and "${key}")`);
        continue;
      }
      seen.set(field, key);
      if (field.options?.["deprecated"] === true) {
        const since = field.options["(envoy.annotations.deprecated_at_minor_version)"];
        this.fail(here, `field ${typeName}.${field.name} is deprecated${since ? ` (since API ${since})` : ""}`);
      }
      if (field.options?.["(envoy.annotations.disallowed_by_default)"] === true) {
        this.fail(here, `field ${typeName}.${field.name} is disallowed by default`);
      }
      // proto3 JSON: null means "not set" (except for google.protobuf.Value).
      const resolved = field.resolvedType;
      if (value === null && !(resolved instanceof protobuf.Type && fullName(resolved) === "google.protobuf.Value")) continue;
      present.add(field);
      this.fieldValue(value, field, here);
    }

    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => present.has(f));
      if (set.length > 1) {
        this.fail(at, `oneof ${typeName}.${oneof.name} has more than one member set: ${set.map((f) => f.name).join(", ")}`);
      }
      if (set.length === 0 && oneof.options?.["(validate.required)"] === true) {
        this.fail(at, `oneof ${typeName}.${oneof.name} requires one of: ${oneof.oneof.join(", ")}`);
      }
    }

    for (const field of type.fieldsArray) {
      const rules = parsedOption(field, "(validate.rules)");
      if (!rules) continue;
      const here = at ? `${at}.${field.name}` : field.name;
      if (present.has(field)) {
        this.fieldRules(obj[seen.get(field)!], field, rules, here);
      } else {
        this.absentFieldRules(field, rules, here, typeName);
      }
    }
  }

  private fieldValue(value: Json, field: protobuf.Field, at: string): void {
    if (field instanceof protobuf.MapField) {
      if (!isPlainObject(value)) return this.fail(at, `map field ${field.name} must be an object, got ${show(value)}`);
      for (const [k, v] of Object.entries(value)) {
        this.mapKey(k, field.keyType, `${at}[${JSON.stringify(k)}]`);
        this.singular(v, field, `${at}[${JSON.stringify(k)}]`);
      }
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) return this.fail(at, `repeated field ${field.name} must be a list, got ${show(value)}`);
      value.forEach((v, i) => this.singular(v, field, `${at}[${i}]`));
      return;
    }
    this.singular(value, field, at);
  }

  private mapKey(key: string, keyType: string, at: string): void {
    if (keyType === "string") return;
    if (keyType === "bool") {
      if (key !== "true" && key !== "false") this.fail(at, `map key must be "true" or "false"`);
      return;
    }
    this.scalar(key, keyType, at);
  }

  /** One element: a scalar, an enum value or a message. */
  private singular(value: Json, field: protobuf.Field, at: string): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) return this.enumValue(value, resolved, at);
    if (resolved instanceof protobuf.Type) return this.messageValue(value, resolved, at);
    if (SCALARS.has(field.type)) return this.scalar(value, field.type, at);
    this.fail(at, `field ${field.name} has unresolved type ${field.type}`);
  }

  private enumValue(value: Json, en: protobuf.Enum, at: string): void {
    const name = fullName(en);
    if (name === "google.protobuf.NullValue") {
      if (value !== null) this.fail(at, `NullValue must be null`);
      return;
    }
    let valueName: string | undefined;
    if (typeof value === "string") {
      if (!(value in en.values)) {
        return this.fail(at, `${JSON.stringify(value)} is not a value of enum ${name} (known: ${Object.keys(en.values).join(", ")})`);
      }
      valueName = value;
    } else if (typeof value === "number" && Number.isInteger(value)) {
      valueName = en.valuesById[value];
      if (valueName === undefined) return this.fail(at, `${value} is not a value of enum ${name}`);
    } else {
      return this.fail(at, `enum ${name} needs a value name, got ${show(value)}`);
    }
    const opts = en.valuesOptions?.[valueName];
    if (opts?.["deprecated"] === true) this.fail(at, `enum value ${name}.${valueName} is deprecated`);
    if (opts?.["(envoy.annotations.disallowed_by_default_enum)"] === true) {
      this.fail(at, `enum value ${name}.${valueName} is disallowed by default`);
    }
  }

  private scalar(value: Json, kind: string, at: string): void {
    const range = INT_RANGES[kind];
    if (range) {
      let n: bigint | undefined;
      if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
      else if (typeof value === "string" && /^-?\d+$/.test(value)) n = BigInt(value);
      if (n === undefined) return this.fail(at, `expected an integer (${kind}), got ${show(value)}`);
      if (n < range[0] || n > range[1]) this.fail(at, `${value} is out of range for ${kind}`);
      return;
    }
    switch (kind) {
      case "double":
      case "float":
        if (typeof value === "number") return;
        if (typeof value === "string" && (/^(NaN|-?Infinity)$/.test(value) || (value.trim() !== "" && !Number.isNaN(Number(value))))) return;
        return this.fail(at, `expected a number (${kind}), got ${show(value)}`);
      case "bool":
        if (typeof value !== "boolean") this.fail(at, `expected true or false, got ${show(value)}`);
        return;
      case "string":
        if (typeof value !== "string") this.fail(at, `expected a string, got ${show(value)}`);
        return;
      case "bytes":
        if (typeof value !== "string" || !BASE64_RE.test(value)) this.fail(at, `expected base64 bytes, got ${show(value)}`);
        return;
    }
    this.fail(at, `unsupported scalar type ${kind}`);
  }

  // ----- protoc-gen-validate rules ---------------------------------------

  private absentFieldRules(field: protobuf.Field, rules: Rules, at: string, typeName: string): void {
    // PGV checks a oneof member (and a proto3 `optional` field) only when it is set.
    if (field.partOf) return;
    for (const kind of ["message", "duration", "timestamp", "any"]) {
      if (rules[kind]?.required === true) this.fail(at, `field ${typeName}.${field.name} is required`);
    }
    if (field instanceof protobuf.MapField) {
      if (Number(rules.map?.min_pairs ?? 0) > 0) this.fail(at, `field ${typeName}.${field.name} needs at least ${rules.map.min_pairs} entr(ies)`);
      return;
    }
    if (field.repeated) {
      if (Number(rules.repeated?.min_items ?? 0) > 0) this.fail(at, `field ${typeName}.${field.name} needs at least ${rules.repeated.min_items} item(s)`);
      return;
    }
    // An unset message field has nothing more to check; an unset singular
    // scalar outside a oneof is validated with its default value, as PGV does.
    if (field.resolvedType instanceof protobuf.Type) return;
    const defaultValue = field.resolvedType instanceof protobuf.Enum ? 0 : field.type === "string" || field.type === "bytes" ? "" : field.type === "bool" ? false : 0;
    this.valueRules(defaultValue, field, rules, at, true);
  }

  private fieldRules(value: Json, field: protobuf.Field, rules: Rules, at: string): void {
    if (field instanceof protobuf.MapField) {
      const n = isPlainObject(value) ? Object.keys(value).length : 0;
      if (rules.map?.min_pairs !== undefined && n < Number(rules.map.min_pairs)) this.fail(at, `needs at least ${rules.map.min_pairs} entr(ies)`);
      if (rules.map?.max_pairs !== undefined && n > Number(rules.map.max_pairs)) this.fail(at, `allows at most ${rules.map.max_pairs} entr(ies)`);
      return;
    }
    if (field.repeated) {
      const items = Array.isArray(value) ? value : [];
      if (rules.repeated?.min_items !== undefined && items.length < Number(rules.repeated.min_items)) this.fail(at, `needs at least ${rules.repeated.min_items} item(s)`);
      if (rules.repeated?.max_items !== undefined && items.length > Number(rules.repeated.max_items)) this.fail(at, `allows at most ${rules.repeated.max_items} item(s)`);
      if (rules.repeated?.items) items.forEach((v, i) => this.valueRules(v, field, rules.repeated.items, `${at}[${i}]`, false));
      return;
    }
    this.valueRules(value, field, rules, at, false);
  }

  /** Rules on one value (a scalar, an enum, a wrapper's inner value or a Duration). */
  private valueRules(value: Json, field: protobuf.Field, rules: Rules, at: string, isDefault: boolean): void {
    const shown = isDefault ? ` (unset, so ${JSON.stringify(value)})` : "";
    const resolved = field.resolvedType;
    const typeName = resolved ? fullName(resolved) : field.type;

    if (rules.string && typeof value === "string") {
      const r = rules.string;
      const len = [...value].length;
      const bytes = Buffer.byteLength(value, "utf8");
      if (r.min_len !== undefined && len < Number(r.min_len)) this.fail(at, `must have at least ${r.min_len} character(s)${shown}`);
      if (r.max_len !== undefined && len > Number(r.max_len)) this.fail(at, `must have at most ${r.max_len} character(s)`);
      if (r.len !== undefined && len !== Number(r.len)) this.fail(at, `must have exactly ${r.len} character(s)${shown}`);
      if (r.min_bytes !== undefined && bytes < Number(r.min_bytes)) this.fail(at, `must have at least ${r.min_bytes} byte(s)${shown}`);
      if (r.max_bytes !== undefined && bytes > Number(r.max_bytes)) this.fail(at, `must have at most ${r.max_bytes} byte(s)`);
      if (r.prefix !== undefined && !value.startsWith(r.prefix)) this.fail(at, `must start with ${JSON.stringify(r.prefix)}${shown}`);
      if (r.const !== undefined && value !== r.const) this.fail(at, `must be ${JSON.stringify(r.const)}${shown}`);
      const inList = r.in === undefined ? undefined : [].concat(r.in);
      if (inList && !inList.includes(value as never)) this.fail(at, `must be one of ${JSON.stringify(inList)}${shown}`);
      const notIn = r.not_in === undefined ? undefined : [].concat(r.not_in);
      if (notIn && notIn.includes(value as never)) this.fail(at, `must not be one of ${JSON.stringify(notIn)}`);
    }

    if (rules.enum && resolved instanceof protobuf.Enum) {
      const num = typeof value === "string" ? resolved.values[value] : typeof value === "number" ? value : undefined;
      if (num !== undefined) {
        const toNums = (x: unknown): number[] => ([] as unknown[]).concat(x).map((y) => (typeof y === "string" ? resolved.values[y] : Number(y)));
        if (rules.enum.const !== undefined && num !== toNums(rules.enum.const)[0]) this.fail(at, `must be ${rules.enum.const}${shown}`);
        if (rules.enum.in !== undefined && !toNums(rules.enum.in).includes(num)) this.fail(at, `must be one of ${JSON.stringify(rules.enum.in)}${shown}`);
        if (rules.enum.not_in !== undefined && toNums(rules.enum.not_in).includes(num)) this.fail(at, `must not be one of ${JSON.stringify(rules.enum.not_in)}${shown}`);
      }
    }

    if (rules.duration && typeName === "google.protobuf.Duration" && typeof value === "string") {
      const n = parseDurationString(value);
      if (n !== undefined) {
        const r = rules.duration;
        const bounds: Rules = {};
        for (const k of ["lt", "lte", "gt", "gte"]) if (r[k] !== undefined) bounds[k] = durationNanos(r[k]);
        const fmtNs = (ns: bigint) => `${Number(ns) / 1e9}s`;
        const problem = checkBounds(n, bounds, fmtNs);
        if (problem) this.fail(at, `Duration ${problem}`);
        if (r.const !== undefined && n !== durationNanos(r.const)) this.fail(at, `Duration must be ${fmtNs(durationNanos(r.const))}`);
      }
    }

    // Numeric rules: on a scalar field or on the inner value of a wrapper.
    const numericKind = SCALARS.has(field.type) ? field.type : WRAPPERS[typeName];
    const numRules = numericKind ? rules[numericKind] : undefined;
    if (numRules && numericKind && numericKind !== "bool" && numericKind !== "string" && numericKind !== "bytes") {
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (!Number.isNaN(n)) {
        const problem = checkBounds(n, numRules, (x) => String(x));
        if (problem) this.fail(at, `${problem}${shown}`);
        if (numRules.const !== undefined && n !== Number(numRules.const)) this.fail(at, `must be ${numRules.const}${shown}`);
        if (numRules.in !== undefined && !([] as unknown[]).concat(numRules.in).map(Number).includes(n)) this.fail(at, `must be one of ${JSON.stringify(numRules.in)}${shown}`);
        if (numRules.not_in !== undefined && ([] as unknown[]).concat(numRules.not_in).map(Number).includes(n)) this.fail(at, `must not be one of ${JSON.stringify(numRules.not_in)}${shown}`);
      }
    }
  }
}

/** Validates a parsed envoy.yaml document as an Envoy v3 Bootstrap; returns the problems found. */
export function validateBootstrap(doc: unknown): string[] {
  const { root } = loadEnvoyApi();
  return new EnvoyConfigWalker(root).walk(doc, BOOTSTRAP_TYPE).errors;
}

// ---------------------------------------------------------------------------
// The service's descriptor set (gen/flashsale.binpb)
// ---------------------------------------------------------------------------

export interface HttpBinding {
  /** fully qualified method, e.g. flashsale.star.v1.FlashStarService.QueryStar */
  method: string;
  verb: string;
  path: string;
  body: string;
}

/** Decodes a FileDescriptorSet (the file Envoy's proto_descriptor points at). */
export function loadDescriptorSet(file: string): FileRegistry {
  const set = fromBinary(FileDescriptorSetSchema, fs.readFileSync(file));
  return createFileRegistry(set);
}

/** Every google.api.http binding (including additional_bindings) of every method in the registry. */
export function httpBindings(registry: FileRegistry): HttpBinding[] {
  const ext = registry.getExtension("google.api.http");
  if (!ext) return [];
  const out: HttpBinding[] = [];
  const collect = (method: DescMethod, rule: any): void => {
    const pattern = rule?.pattern as { case?: string; value?: any } | undefined;
    if (pattern?.case) {
      const verb = pattern.case === "custom" ? String(pattern.value?.kind ?? "") : pattern.case.toUpperCase();
      const p = pattern.case === "custom" ? String(pattern.value?.path ?? "") : String(pattern.value);
      out.push({ method: `${method.parent.typeName}.${method.name}`, verb, path: p, body: String(rule.body ?? "") });
    }
    for (const extra of rule?.additionalBindings ?? []) collect(method, extra);
  };
  for (const file of registry.files) {
    for (const service of file.services) {
      for (const method of service.methods) {
        const rule = getOption(method, ext as DescExtension) as unknown;
        if (rule) collect(method, rule);
      }
    }
  }
  return out;
}
