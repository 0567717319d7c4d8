import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fromBinary } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  type DescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { startTestService, type TestService } from "./support/service";

/**
 * What an engineer with grpcurl relies on: server reflection (v1, and v1alpha,
 * which older grpcurl builds use) and the standard health service, driven with
 * nothing but the protos those packages ship.
 */

const loaderOptions: protoLoader.Options = { longs: String, enums: String, defaults: true, oneofs: true };

const reflectionProtoDir = join(dirname(require.resolve("@grpc/reflection/package.json")), "build", "proto");
const reflectionVersions = ["v1", "v1alpha"] as const;
type ReflectionVersion = (typeof reflectionVersions)[number];

const flashsaleServices = [
  "flashsale.star.v1.FlashStarService",
  "flashsale.member.v1.CustomerInfoService",
  "flashsale.goods.v1.FlashGoodsService",
  "flashsale.order.v1.FlashOrderService",
  "flashsale.admin.v1.FlashAdminService",
];

interface ReflectionResponse {
  messageResponse: "fileDescriptorResponse" | "allExtensionNumbersResponse" | "listServicesResponse" | "errorResponse";
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  listServicesResponse?: { service: { name: string }[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** One bidi ServerReflectionInfo stream: each ask() writes a request and awaits its response (the server answers in order). */
class ReflectionStream {
  private readonly call: grpc.ClientDuplexStream<object, ReflectionResponse>;
  private readonly waiting: { resolve(r: ReflectionResponse): void; reject(e: Error): void }[] = [];
  private failure: Error | undefined;

  constructor(client: grpc.Client) {
    this.call = (client as any).serverReflectionInfo({ deadline: Date.now() + 20_000 });
    this.call.on("data", (response: ReflectionResponse) => this.waiting.shift()?.resolve(response));
    const fail = (err: Error) => {
      this.failure = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    this.call.on("error", fail);
    this.call.on("end", () => fail(new Error("reflection stream ended")));
  }

  ask(request: object): Promise<ReflectionResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.call.write(request);
    });
  }

  close() {
    this.call.removeAllListeners("error");
    this.call.on("error", () => undefined);
    this.call.end();
  }
}

/** Decodes a file_descriptor_response with @bufbuild/protobuf. */
function decodeFiles(response: ReflectionResponse): FileDescriptorProto[] {
  assert.equal(response.messageResponse, "fileDescriptorResponse", JSON.stringify(response.errorResponse));
  return response.fileDescriptorResponse!.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, new Uint8Array(bytes)));
}

/** Fully-qualified names of the messages and enums a file declares (nested ones included). */
function declaredTypes(file: FileDescriptorProto): Set<string> {
  const names = new Set<string>();
  const prefix = file.package ? `${file.package}.` : "";
  const addMessage = (message: DescriptorProto, scope: string) => {
    const name = `${scope}${message.name}`;
    names.add(name);
    for (const e of message.enumType) names.add(`${name}.${e.name}`);
    for (const nested of message.nestedType) addMessage(nested, `${name}.`);
  };
  for (const e of file.enumType) names.add(`${prefix}${e.name}`);
  for (const m of file.messageType) addMessage(m, prefix);
  return names;
}

/** Every type reference of a file with the scope it is written in: fields, extensions, method inputs and outputs. */
function typeReferences(file: FileDescriptorProto): { ref: string; scope: string; where: string }[] {
  const refs: { ref: string; scope: string; where: string }[] = [];
  const pkg = file.package;
  const isTyped = (f: FieldDescriptorProto) =>
    f.type === FieldDescriptorProto_Type.MESSAGE || f.type === FieldDescriptorProto_Type.ENUM || f.type === FieldDescriptorProto_Type.GROUP || (!f.type && f.typeName);
  const addField = (f: FieldDescriptorProto, scope: string, owner: string) => {
    if (isTyped(f)) refs.push({ ref: f.typeName, scope, where: `${owner}.${f.name}` });
    if (f.extendee) refs.push({ ref: f.extendee, scope, where: `extendee of ${owner}.${f.name}` });
  };
  const visitMessage = (m: DescriptorProto, scope: string) => {
    const name = scope ? `${scope}.${m.name}` : m.name;
    for (const f of [...m.field, ...m.extension]) addField(f, name, name);
    for (const nested of m.nestedType) visitMessage(nested, name);
  };
  for (const m of file.messageType) visitMessage(m, pkg);
  for (const f of file.extension) addField(f, pkg, pkg);
  for (const s of file.service) {
    for (const method of s.method) {
      const where = `${pkg}.${s.name}/${method.name}`;
      refs.push({ ref: method.inputType, scope: pkg, where }, { ref: method.outputType, scope: pkg, where });
    }
  }
  return refs;
}

/** C++-style scoping, as protoc and Go's protodesc resolve a type name. */
function resolves(ref: string, scope: string, visible: Set<string>): boolean {
  if (ref.startsWith(".")) return visible.has(ref.slice(1));
  const parts = scope ? scope.split(".") : [];
  for (let n = parts.length; n >= 0; n--) {
    const candidate = [...parts.slice(0, n), ref].join(".");
    if (visible.has(candidate)) return true;
  }
  return false;
}

/**
 * Checks what a reflection client (grpcurl's protoreflect, Go's protodesc) needs
 * to build a file: each import is available, and each type the file uses is
 * declared in the file itself or in a file it imports (or that one publicly re-exports).
 */
function linkProblems(files: Map<string, FileDescriptorProto>): string[] {
  const problems: string[] = [];
  const exported = (name: string, seen = new Set<string>()): Set<string> => {
    const file = files.get(name);
    if (!file || seen.has(name)) return new Set();
    seen.add(name);
    const out = declaredTypes(file);
    for (const i of file.publicDependency) for (const t of exported(file.dependency[i], seen)) out.add(t);
    return out;
  };
  for (const file of files.values()) {
    const visible = declaredTypes(file);
    for (const dependency of file.dependency) {
      if (!files.has(dependency)) problems.push(`${file.name} imports ${dependency}, which reflection did not provide`);
      for (const t of exported(dependency)) visible.add(t);
    }
    for (const { ref, scope, where } of typeReferences(file)) {
      if (!resolves(ref, scope, visible)) problems.push(`${file.name}: ${where} uses ${ref}, declared neither in the file nor in its imports ${JSON.stringify(file.dependency)}`);
    }
  }
  return problems;
}

describe("server reflection and health (what grpcurl uses)", function () {
  let svc: TestService;

  before(async () => {
    svc = await startTestService("sqlite");
  });
  after(async () => svc?.stop());

  for (const version of reflectionVersions) {
    describe(`reflection ${version}`, () => {
      let client: grpc.Client;
      let stream: ReflectionStream;

      before(() => {
        const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, { ...loaderOptions, includeDirs: [reflectionProtoDir] });
        const Client = (grpc.loadPackageDefinition(definition) as any).grpc.reflection[version].ServerReflection as grpc.ServiceClientConstructor;
        client = new Client(svc.grpcAddress, grpc.credentials.createInsecure());
      });
      beforeEach(() => {
        stream = new ReflectionStream(client);
      });
      afterEach(() => stream?.close());
      after(() => client?.close());

      it(`when a client asks ${version} reflection to list services, then every flashsale service and grpc.health.v1.Health are listed`, async () => {
        const response = await stream.ask({ listServices: "*" });
        assert.equal(response.messageResponse, "listServicesResponse", JSON.stringify(response.errorResponse));
        const names = response.listServicesResponse!.service.map((s) => s.name);
        for (const name of [...flashsaleServices, "grpc.health.v1.Health"]) {
          assert.ok(names.includes(name), `${name} missing from ${JSON.stringify(names)}`);
        }
      });

      it(`when a client asks ${version} reflection for the file containing FlashOrderService, then it gets the service's file with CreateOrder and its imports`, async () => {
        const files = decodeFiles(await stream.ask({ fileContainingSymbol: "flashsale.order.v1.FlashOrderService" }));
        const names = files.map((f) => f.name);

        const serviceFile = files.find((f) => f.service.some((s) => s.name === "FlashOrderService"));
        assert.ok(serviceFile, `no returned file declares FlashOrderService: ${names.join(", ")}`);
        assert.equal(serviceFile.package, "flashsale.order.v1");
        const service = serviceFile.service.find((s) => s.name === "FlashOrderService")!;
        const createOrder = service.method.find((m) => m.name === "CreateOrder");
        assert.ok(createOrder, `CreateOrder missing from ${service.method.map((m) => m.name).join(", ")}`);
        assert.match(createOrder.inputType, /(^|\.)CreateOrderRequest$/);
        assert.match(createOrder.outputType, /(^|\.)CreateOrderResponse$/);

        const required = ["flashsale/order/v1/order.proto", "google/api/annotations.proto", "google/api/http.proto", "google/protobuf/descriptor.proto"];
        const missing = required.filter((name) => !names.includes(name));
        assert.deepEqual(missing, [], `imports missing from the response, which holds only: ${names.join(", ")}`);
        for (const imported of ["flashsale/order/v1/order.proto", "google/api/annotations.proto"]) {
          assert.ok(serviceFile.dependency.includes(imported), `${serviceFile.name} should import ${imported}, imports ${JSON.stringify(serviceFile.dependency)}`);
        }
      });

      it(`when a client resolves each flashsale service over ${version} reflection as grpcurl describe does, then the files it gets link`, async () => {
        for (const name of flashsaleServices) {
          // file_containing_symbol, then file_by_filename for each import still missing: grpcurl's walk.
          const files = new Map<string, FileDescriptorProto>();
          const add = (list: FileDescriptorProto[]) => list.forEach((f) => files.has(f.name) || files.set(f.name, f));
          add(decodeFiles(await stream.ask({ fileContainingSymbol: name })));
          for (let again = true; again; ) {
            again = false;
            for (const dependency of [...files.values()].flatMap((f) => f.dependency)) {
              if (files.has(dependency)) continue;
              const response = await stream.ask({ fileByFilename: dependency });
              if (response.messageResponse !== "fileDescriptorResponse") continue; // reported by linkProblems
              add(decodeFiles(response));
              again = true;
            }
          }
          assert.deepEqual(linkProblems(files), [], `${name}: the files reflection returned (${[...files.keys()].join(", ")}) do not link`);
        }
      });

      it(`when a client asks ${version} reflection for an unknown symbol, then the stream answers NOT_FOUND and stays usable`, async () => {
        const missing = await stream.ask({ fileContainingSymbol: "flashsale.nope.v1.Nothing" });
        assert.equal(missing.messageResponse, "errorResponse");
        assert.equal(missing.errorResponse!.errorCode, grpc.status.NOT_FOUND);
        const listed = await stream.ask({ listServices: "*" });
        assert.equal(listed.messageResponse, "listServicesResponse");
      });
    });
  }

  describe("grpc.health.v1.Health", () => {
    let health: grpc.Client;

    before(() => {
      const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, loaderOptions)) as any;
      health = new loaded.grpc.health.v1.Health(svc.grpcAddress, grpc.credentials.createInsecure());
    });
    after(() => health?.close());

    const check = (service: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        (health as any).check({ service }, { deadline: Date.now() + 10_000 }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))),
      );

    it("when a client checks the server's overall health, then it is SERVING", async () => {
      assert.equal((await check("")).status, "SERVING");
    });

    it("when a client checks each flashsale service by name, then each is SERVING", async () => {
      for (const name of flashsaleServices) {
        assert.equal((await check(name)).status, "SERVING", name);
      }
    });
  });
});
