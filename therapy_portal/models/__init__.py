"""Every model module, imported so Alembic and `create_all` see all tables."""

from therapy_portal.models.appointments import (  # noqa: F401
    Appointment,
    AppointmentReminder,
    AppointmentSeries,
    CalendarFeed,
    ReminderPreference,
)
from therapy_portal.models.audit import AuditChainHead, AuditEvent, BreakGlassGrant, OutboxEmail
from therapy_portal.models.base import Base, utcnow
from therapy_portal.models.consents import (  # noqa: F401
    ConsentDocument,
    ConsentSignature,
    ConsentVersion,
)
from therapy_portal.models.couples import (
    ConfidentialityPolicy,
    Couple,
    CoupleMember,
    CoupleStatus,
    CoupleTherapist,
    Invitation,
)
from therapy_portal.models.homework import (  # noqa: F401
    Assignment,
    DraftConflict,
    ExerciseTemplate,
    ExerciseVersion,
    Feedback,
    HomeworkRating,
    Occurrence,
    Response,
    Submission,
)
from therapy_portal.models.jobs import ExportChunk, ExportFile, Job, JobState  # noqa: F401
from therapy_portal.models.measures import (  # noqa: F401
    PROGRESS_COUNTED,
    PROGRESS_RECOUNT,
    CheckinProgress,
    MeasureResponse,
    MeasureSchedule,
    OutcomeAlert,
    SafetyAlert,
)
from therapy_portal.models.messages import Message, MessageRead, MessageThread  # noqa: F401
from therapy_portal.models.notes import (  # noqa: F401
    NoteAddendum,
    NoteCopyExclusion,
    NoteExport,
    NotePdfCache,
    PsychotherapyNote,
    RecordAuthorization,
    SessionNote,
)
from therapy_portal.models.photos import AnswerPhoto  # noqa: F401
from therapy_portal.models.plans import (  # noqa: F401
    GoalLink,
    PlanGoal,
    PlanVersion,
    TreatmentPlan,
)
from therapy_portal.models.practice import PaperSize, Practice, Role, User, UserSession
from therapy_portal.models.security import (  # noqa: F401
    AccountToken,
    LoginFailure,
    PasskeyCredential,
    RecoveryCode,
    RememberedDevice,
    TokenPurpose,
)
from therapy_portal.models.supervision import CoSignature, NoteComment, Supervision  # noqa: F401

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "PaperSize",
    "BreakGlassGrant",
    "Base",
    "ConfidentialityPolicy",
    "Couple",
    "CoupleMember",
    "CoupleStatus",
    "CoupleTherapist",
    "Invitation",
    "OutboxEmail",
    "Practice",
    "Role",
    "User",
    "UserSession",
    "utcnow",
]
