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
from app.models.exports import Export, ExportFormat
from app.models.immutability import IMMUTABLE
from app.models.papers import Language, Paper, PaperMember, PaperStatus, Role
from app.models.reviews import (
    Comment,
    CommentReply,
    CommentResolution,
    CommentStatus,
    CommentType,
    Decision,
    ResolutionAction,
    ReviewRound,
)
from app.models.search import (
    SearchDocument,
    SearchKind,
    SearchSource,
    SectionVisit,
)
from app.models.sections import Revision, Section, SectionState
from app.models.signoff import BallotPosition, Position, Version, VersionSection
from app.models.users import AccountLink, AccountLinkPurpose, ApiToken, Sector, User

__all__ = [
    "IMMUTABLE",
    "AccountLink",
    "AccountLinkPurpose",
    "Activity",
    "ActivityAction",
    "AlignmentDecision",
    "AlignmentStatus",
    "ApiToken",
    "BallotPosition",
    "Comment",
    "CommentReply",
    "CommentResolution",
    "CommentStatus",
    "CommentType",
    "Decision",
    "Export",
    "ExportFormat",
    "Framework",
    "FrameworkItem",
    "ItemKind",
    "Language",
    "Paper",
    "PaperMember",
    "PaperStatus",
    "Position",
    "PositionDecision",
    "ResolutionAction",
    "ReviewRound",
    "Revision",
    "Role",
    "SearchDocument",
    "SearchKind",
    "SearchSource",
    "Section",
    "SectionState",
    "SectionVisit",
    "Sector",
    "User",
    "Version",
    "VersionSection",
]
