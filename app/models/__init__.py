"""Every table, imported so that the metadata is complete for Alembic and the mappers."""

from app.models.activity import Activity, ActivityAction
from app.models.alignment import (
    AlignmentDecision,
    AlignmentStatus,
    Framework,
    FrameworkItem,
    ItemKind,
    PositionDecision,
)
from app.models.exports import Export, ExportFormat, ExportJob, ExportJobStatus
from app.models.immutability import IMMUTABLE
from app.models.imports import ImportedItem, ImportKind
from app.models.notifications import (
    CATEGORY_OF,
    DEFAULT_DELIVERY,
    Category,
    Delivery,
    Event,
    Notification,
    NotificationSetting,
    PeriodicRun,
    SentMail,
)
from app.models.papers import Language, Paper, PaperMember, PaperStatus, Role
from app.models.reviews import (
    Comment,
    CommentReply,
    CommentResolution,
    CommentStatus,
    CommentType,
    CompletionAction,
    Decision,
    ResolutionAction,
    ReviewRound,
    RoundCompletion,
)
from app.models.search import (
    SearchDocument,
    SearchKind,
    SearchSource,
    SectionVisit,
)
from app.models.sections import Revision, Section, SectionState
from app.models.signoff import BallotPosition, Position, Version, VersionPurpose, VersionSection
from app.models.users import (
    AccountLink,
    AccountLinkPurpose,
    ApiToken,
    Sector,
    SelfRegistrationDomain,
    User,
)

__all__ = [
    "CATEGORY_OF",
    "DEFAULT_DELIVERY",
    "IMMUTABLE",
    "AccountLink",
    "AccountLinkPurpose",
    "Activity",
    "ActivityAction",
    "AlignmentDecision",
    "AlignmentStatus",
    "ApiToken",
    "BallotPosition",
    "Category",
    "Comment",
    "CommentReply",
    "CommentResolution",
    "CommentStatus",
    "CommentType",
    "CompletionAction",
    "Decision",
    "Delivery",
    "Event",
    "Export",
    "ExportFormat",
    "ExportJob",
    "ExportJobStatus",
    "Framework",
    "FrameworkItem",
    "ImportKind",
    "ImportedItem",
    "ItemKind",
    "Language",
    "Notification",
    "NotificationSetting",
    "Paper",
    "PaperMember",
    "PaperStatus",
    "PeriodicRun",
    "Position",
    "PositionDecision",
    "ResolutionAction",
    "ReviewRound",
    "Revision",
    "Role",
    "RoundCompletion",
    "SearchDocument",
    "SearchKind",
    "SearchSource",
    "Section",
    "SectionState",
    "SectionVisit",
    "Sector",
    "SelfRegistrationDomain",
    "SentMail",
    "User",
    "Version",
    "VersionPurpose",
    "VersionSection",
]
