"""Homework use cases, one module per part of the flow; import them from here.

- `templates`: the library, copying, building and versioning templates
- `library_load`: loading the built-in library
- `assignments`: assigning to a couple, due dates, extension, cancel
- `responses`: the partner's answer page (what the policy lets them see), conflict copies
- `drafts`: saving drafts and submitting (`answer`: the answer page's one call), safe under
  concurrent requests
- `partner_home`: the partner's Due soon / Overdue / Done
- `review`: per-couple counts, the review queue, a couple's assignments
- `review_actions`: the review page, feedback, mark reviewed, return, release
- `quality`: how fully each partner did the homework, rated beside "reviewed"
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
from therapy_portal.homework.services.drafts import (
    Answered,
    AnswerInput,
    SaveResult,
    answer,
    save_draft,
    submit,
)
from therapy_portal.homework.services.library_load import load_library
from therapy_portal.homework.services.partner_home import PartnerHome, partner_home
from therapy_portal.homework.services.quality import (
    QUALITY_LABELS,
    quality_history,
    rate_homework,
    ratings_of,
)
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
    export_response,
    mark_reviewed,
    members_of,
    release_response,
    return_response,
    review_view,
)
from therapy_portal.homework.services.summary import QueueSummary, queue_summary
from therapy_portal.homework.services.templates import (
    TemplateInput,
    copy_template,
    create_template,
    latest_version,
    list_library,
    save_new_version,
    versions_of,
)

__all__ = [
    "QUALITY_LABELS",
    "quality_history",
    "rate_homework",
    "ratings_of",
    "MAX_OCCURRENCES",
    "AnswerInput",
    "Answered",
    "AssignInput",
    "HomeworkCounts",
    "PartnerHome",
    "PartnerView",
    "QueueSummary",
    "ReviewQueue",
    "ReviewView",
    "SaveResult",
    "TemplateInput",
    "add_feedback",
    "answer",
    "assign",
    "assignment_occurrences",
    "cancel",
    "change_due_date",
    "copy_template",
    "counts_for_couples",
    "couple_assignments",
    "create_template",
    "dismiss_conflict",
    "export_response",
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
    "queue_summary",
    "review_queue",
    "review_view",
    "save_draft",
    "save_new_version",
    "submit",
    "versions_of",
]
