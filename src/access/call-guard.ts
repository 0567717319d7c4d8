import type { GuardFor } from "../platform/grpc-server";
import { authorize, isRateLimited, rateLimitedMember } from "./access-policy";
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
    const throttled = limiter && isRateLimited(path) ? limiter : undefined;
    if (!authenticate && !throttled) return undefined;
    return async (metadata, request) => {
      if (authenticate) authorize(path, await authenticate(metadata.get("authorization")[0]?.toString()), request);
      const member = throttled && rateLimitedMember(path, request);
      if (member && !(await throttled!.take(member))) throw rateLimited();
    };
  };
}
