import { createSecretKey } from "node:crypto";
import { importSPKI, jwtVerify } from "jose";
import { AppError } from "../platform/errors";
import type { Principal, Role } from "./principal";

const roles: readonly Role[] = ["customer", "service", "admin"];

export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

/**
 * Verifies `Authorization: Bearer <JWT>` (HS256 with a shared secret, or a
 * public key) with jose and turns its claims into a Principal: `sub` is the
 * member code or caller name, `role` is customer, service or admin; `exp` is
 * required. Anything else is UNAUTHENTICATED, with one message for all causes.
 */
export async function createAuthenticator(options: { secret?: string; publicKeyPem?: string }): Promise<Authenticate> {
  let key: Parameters<typeof jwtVerify>[1];
  let algorithms: string[];
  if (options.publicKeyPem) {
    const alg = options.publicKeyPem.includes("EC") ? "ES256" : "RS256";
    key = await importSPKI(options.publicKeyPem, alg);
    algorithms = [alg];
  } else {
    key = createSecretKey(Buffer.from(options.secret!, "utf8"));
    algorithms = ["HS256"];
  }
  const refuse = () => new AppError("UNAUTHENTICATED", "请先登录 (a valid bearer token is required)");

  return async function authenticate(authorization) {
    const token = /^Bearer ([A-Za-z0-9_\-.]{10,4096})$/.exec(authorization ?? "")?.[1];
    if (!token) throw refuse();
    try {
      const { payload } = await jwtVerify(token, key as Exclude<typeof key, Function>, { algorithms, requiredClaims: ["exp", "sub"] });
      const role = payload.role as Role;
      if (!roles.includes(role) || typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 64) throw refuse();
      return { subject: payload.sub, role };
    } catch {
      throw refuse();
    }
  };
}
