import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Metadata } from "@grpc/grpc-js";

/**
 * Headers that describe one HTTP/1.1 hop or the JSON framing, never the call:
 * Envoy does not forward them upstream (host becomes :authority there).
 */
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
  "expect",
  "host",
  "content-length",
  "content-type",
]);

/** Keys and values gRPC metadata can carry; anything else would make grpc-js throw. */
const METADATA_KEY = /^[0-9a-z_.-]+$/;
const ASCII_VALUE = /^[ -~]*$/;

/**
 * The request headers as gRPC metadata, as Envoy forwards them: everything
 * except hop-by-hop, pseudo and `grpc-*` headers; `-bin` headers are base64
 * on the HTTP side and bytes in metadata. Like Envoy (generate_request_id),
 * a request without `x-request-id` gets a fresh one.
 */
export function forwardedMetadata(headers: IncomingHttpHeaders): Metadata {
  const metadata = new Metadata();
  const named = namedHopByHop(headers.connection);
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || !isForwarded(key, named)) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      if (key.endsWith("-bin")) metadata.add(key, Buffer.from(one, "base64"));
      else if (ASCII_VALUE.test(one)) metadata.add(key, one);
    }
  }
  if (!headers["x-request-id"]) metadata.set("x-request-id", randomUUID());
  return metadata;
}

function isForwarded(key: string, namedHopByHop: ReadonlySet<string>): boolean {
  return (
    METADATA_KEY.test(key) &&
    !key.startsWith("grpc-") &&
    !NOT_FORWARDED.has(key) &&
    !namedHopByHop.has(key)
  );
}

/** `Connection: close, x-foo` makes x-foo hop-by-hop too (RFC 9110 §7.6.1). */
function namedHopByHop(connection: string | undefined): ReadonlySet<string> {
  if (!connection) return new Set();
  return new Set(connection.split(",").map((name) => name.trim().toLowerCase()));
}
