import { AppError } from "../platform/errors";
import type { CallGuard } from "../platform/grpc-server";
import { authorize, rateLimitedMember } from "./access-policy";
import { createAuthenticator } from "./authenticate";
import type { RateLimiter } from "./rate-limiter";

/**
 * What runs before every handler: with AUTH_MODE=jwt a verified token and the
 * access policy, then the acting member's rate limit on the calls bots hammer.
 * Undefined when neither is on, so the call path has nothing to do.
 */
export async function createCallGuard({ auth, limiter }: {
  auth: { authMode: "none" | "jwt"; authJwtSecret?: string; authJwtPublicKey?: string };
  limiter: RateLimiter | undefined;
}): Promise<CallGuard | undefined> {
  const authenticate = auth.authMode === "jwt" ? await createAuthenticator({ secret: auth.authJwtSecret, publicKeyPem: auth.authJwtPublicKey }) : undefined;
  if (!authenticate && !limiter) return undefined;
  return async (path, metadata, request) => {
    if (authenticate) authorize(path, await authenticate(metadata.get("authorization")[0]?.toString()), request);
    const member = limiter && rateLimitedMember(path, request);
    if (member && !(await limiter!.take(member))) {
      throw new AppError("RATE_LIMITED", "操作太频繁，请稍后再试 (too many requests, slow down)");
    }
  };
}
