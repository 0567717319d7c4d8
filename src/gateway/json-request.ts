import { fromJson } from "@bufbuild/protobuf";
import { isFieldError } from "@bufbuild/protobuf/reflect";
import type { DescMessage, JsonValue, Message } from "@bufbuild/protobuf";
import { invalidField, malformedBody, mismatchedBody } from "./gateway-error";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The request message from a `body: "*"` JSON body, by the proto3 JSON
 * mapping: an empty body is the empty message and unknown fields are ignored,
 * as Envoy's transcoder does; anything else that does not fit is a 400.
 */
export function requestFromJsonBody(schema: DescMessage, body: Uint8Array): Message {
  let json: JsonValue;
  try {
    const text = utf8.decode(body);
    json = text.trim() === "" ? {} : (JSON.parse(text) as JsonValue);
  } catch {
    throw malformedBody();
  }
  try {
    return fromJson(schema, json, { ignoreUnknownFields: true });
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (!isFieldError(cause)) throw mismatchedBody();
    const field = cause.field();
    throw invalidField(field.kind === "field" ? field.jsonName : field.name, cause.message);
  }
}
