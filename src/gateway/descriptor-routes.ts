import { getExtension, hasExtension } from "@bufbuild/protobuf";
import type { DescMessage, DescMethod, Registry } from "@bufbuild/protobuf";

/** One JSON path bound to one unary gRPC method. */
export interface Route {
  /** Upper-case HTTP method, e.g. "POST". */
  readonly httpMethod: string;
  /** Literal path, e.g. "/rest/goods/flashGoodsService/queryGoodsDetail". */
  readonly path: string;
  /** gRPC path, e.g. "/flashsale.goods.v1.FlashGoodsService/QueryGoodsDetail". */
  readonly grpcPath: string;
  readonly input: DescMessage;
  readonly output: DescMessage;
}

/** Routes keyed by `routeKey(httpMethod, path)`. */
export type RouteTable = ReadonlyMap<string, Route>;

export function routeKey(httpMethod: string, path: string): string {
  return `${httpMethod} ${path}`;
}

/**
 * The fields of google.api.HttpRule the gateway reads. The registry knows the
 * message only by its descriptor, so its value comes without a generated type.
 */
interface HttpRule {
  pattern:
    | { case: "get" | "put" | "post" | "delete" | "patch"; value: string }
    | { case: "custom"; value: { kind: string; path: string } }
    | { case: undefined; value?: undefined };
  body: string;
  responseBody: string;
  additionalBindings: HttpRule[];
}

/**
 * Builds the route table from the `google.api.http` annotations of every
 * service in the registry, the way Envoy's transcoder reads them from the
 * descriptor set. The development gateway supports what our protos use —
 * literal paths with `body: "*"`, any verb — and refuses anything else at
 * start-up rather than answering it differently from Envoy.
 */
export function routesFromAnnotations(registry: Registry): RouteTable {
  const httpExtension = registry.getExtension("google.api.http");
  if (!httpExtension) {
    throw new Error("The descriptor set lacks google/api/annotations.proto (extension google.api.http).");
  }
  const routes = new Map<string, Route>();
  for (const service of registryServices(registry)) {
    for (const method of service.methods) {
      const options = method.proto.options;
      if (!options || !hasExtension(options, httpExtension)) continue;
      const rule = getExtension(options, httpExtension) as HttpRule;
      for (const binding of [rule, ...rule.additionalBindings]) {
        const route = routeOf(method, binding);
        const key = routeKey(route.httpMethod, route.path);
        if (routes.has(key)) {
          throw new Error(`${key} is bound to both ${routes.get(key)!.grpcPath} and ${route.grpcPath}.`);
        }
        routes.set(key, route);
      }
    }
  }
  return routes;
}

function* registryServices(registry: Registry) {
  for (const type of registry) {
    if (type.kind === "service") yield type;
  }
}

function routeOf(method: DescMethod, rule: HttpRule): Route {
  const grpcPath = `/${method.parent.typeName}/${method.name}`;
  const unsupported = (what: string) =>
    new Error(`${grpcPath}: the JSON gateway does not support ${what} in google.api.http.`);
  if (method.methodKind !== "unary") throw unsupported("streaming methods");
  if (rule.pattern.case === undefined) throw unsupported("a rule without a path");
  const [httpMethod, path] =
    rule.pattern.case === "custom"
      ? [rule.pattern.value.kind.toUpperCase(), rule.pattern.value.path]
      : [rule.pattern.case.toUpperCase(), rule.pattern.value];
  if (!/^\/[^{}*]*$/.test(path)) throw unsupported(`the path template "${path}" (only literal paths)`);
  if (rule.body !== "*") throw unsupported(`body "${rule.body}" (only body "*")`);
  if (rule.responseBody !== "") throw unsupported("response_body");
  return { httpMethod, path, grpcPath, input: method.input, output: method.output };
}
