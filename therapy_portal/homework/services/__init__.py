"""Homework use cases, one module per part of the flow; import them from here.

- `templates`: the library, copying, building and versioning templates
- `assignments`: assigning to a couple, due dates, extension, cancel
- `responses`: the partner's answer page (what the policy lets them see), conflict copies
- `drafts`: saving drafts and submitting, safe under concurrent requests
- `partner_home`: the partner's Due soon / Overdue / Done
- `review`: per-couple counts, the review queue, a couple's assignments
- `review_actions`: the review page, feedback, mark reviewed, return, release
"""

from therapy_portal.homework.services.assignments import (
    MAX_OCCURRENCES,
    AssignInput,
    assign,
    cancel,
    change_due_date,
    extend,
    plan_due_dates,
    resolve_visibility,
)
from therapy_portal.homework.services.drafts import SaveResult, save_draft, submit
from therapy_portal.homework.services.partner_home import PartnerHome, partner_home
from therapy_portal.homework.services.responses import (
    PartnerView,
    dismiss_conflict,
    open_for_partner,
)
from therapy_portal.homework.services.review import (
    HomeworkCounts,
    ReviewQueue,
    assignment_occurrences,
    counts_for_couples,
    couple_assignments,
    review_queue,
)
from therapy_portal.homework.services.review_actions import (
    ReviewView,
    add_feedback,
    mark_reviewed,
    members_of,
    release_response,
    return_response,
    review_view,
)
from therapy_portal.homework.services.templates import (
    TemplateInput,
    copy_template,
    create_template,
    latest_version,
    list_library,
    load_library,
    save_new_version,
    versions_of,
)

__all__ = [
    "MAX_OCCURRENCES",
    "AssignInput",
    "HomeworkCounts",
    "PartnerHome",
    "PartnerView",
    "ReviewQueue",
    "ReviewView",
    "SaveResult",
    "TemplateInput",
    "add_feedback",
    "assign",
    "assignment_occurrences",
    "cancel",
    "change_due_date",
    "copy_template",
    "counts_for_couples",
    "couple_assignments",
    "create_template",
    "dismiss_conflict",
    "extend",
    "latest_version",
    "list_library",
    "load_library",
    "mark_reviewed",
    "members_of",
    "open_for_partner",
    "partner_home",
    "plan_due_dates",
    "release_response",
    "resolve_visibility",
    "return_response",
    "review_queue",
    "review_view",
    "save_draft",
    "save_new_version",
    "submit",
    "versions_of",
]
