"""The one place that decides who may see or do what.

Route access (`requires`, `public`) and object scoping (`*_for_<role>_or_404`, `can_*`) live in
the modules of this package, one per area; views, PDFs, emails, JSON and counts all ask here.
"""

from therapy_portal.policy.access import (
    PUBLIC,
    check_routes_declared,
    public,
    requires,
    undeclared_routes,
)
from therapy_portal.policy.couples import (
    can_edit_couple,
    can_manage_practice,
    can_view_couple,
    couple_for_therapist_or_404,
    couples_for_therapist,
    membership_for_partner,
    membership_for_partner_or_404,
)

__all__ = [
    "PUBLIC",
    "can_edit_couple",
    "can_manage_practice",
    "can_view_couple",
    "check_routes_declared",
    "couple_for_therapist_or_404",
    "couples_for_therapist",
    "membership_for_partner",
    "membership_for_partner_or_404",
    "public",
    "requires",
    "undeclared_routes",
]
