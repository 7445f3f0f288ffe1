"""Expected outcomes per route and identity for the authorization matrix.

Each area has a module here defining:

- `EXPECTED`: {endpoint: {identity: outcome}} for every route of the area, where outcome is
  "ok" (reached: any status below 500 except a login redirect or 403/404), "login" (redirect to
  the login page) or "denied" (404, or 403 for a role mismatch);
  identities: anonymous, partner_a, partner_b, other_partner, therapist, other_therapist, admin.
  Couple C1 has partners A and B and therapist "therapist"; C2 belongs to "other_therapist" and
  has "other_partner"; "admin" administers the practice of both.
  A key "POST <endpoint>" overrides the table for one method.
- `params(world) -> dict`: values for the URL parameters the area's routes use, creating objects
  inside couple C1 as needed (runs in an app context; commit before returning).
"""
