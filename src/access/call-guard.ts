import type { GuardFor } from "../platform/grpc-server";
import { authorize, rateLimitedMember, ruleFor } from "./access-policy";
import { createAuthenticator } from "./authenticate";
import { type RateLimiter, rateLimited } from "./rate-limiter";

/**
 * What runs before a handler: with AUTH_MODE=jwt a verified token and the
 * access policy, then the acting member's rate limit on the calls that have
 * one here. A method that needs neither gets no guard, so its path does nothing.
 */
export async function createCallGuard({ auth, limiter }: {
  auth: { authMode: "none" | "jwt"; authJwtSecret?: string; authJwtPublicKey?: string };
  limiter: RateLimiter | undefined;
}): Promise<GuardFor> {
  const authenticate = auth.authMode === "jwt" ? await createAuthenticator({ secret: auth.authJwtSecret, publicKeyPem: auth.authJwtPublicKey }) : undefined;
  return (path) => {
    // The method's rule is looked up once, when the server is built.
    const rule = ruleFor(path);
    const throttled = limiter && rule?.rateLimited ? limiter : undefined;
    if (!authenticate && !throttled) return undefined;
    return async (metadata, request) => {
      if (authenticate) authorize(rule, await authenticate(metadata.get("authorization")[0]?.toString()), request);
      const member = throttled && rateLimitedMember(rule, request);
      if (member && !(await throttled!.take(member))) throw rateLimited();
    };
  };
}
