/** Who is calling: from a verified bearer token, or everyone-as-admin when auth is off. */
export type Role = "customer" | "service" | "admin";

export interface Principal {
  /** The member code for a customer; the caller's name for a service or admin. */
  subject: string;
  role: Role;
}
