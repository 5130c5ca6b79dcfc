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
from app.models.imports import ImportedItem, ImportKind
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
from app.models.users import ApiToken, Sector, User

__all__ = [
    "IMMUTABLE",
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
    "CompletionAction",
    "Decision",
    "Export",
    "ExportFormat",
    "Framework",
    "FrameworkItem",
    "ImportKind",
    "ImportedItem",
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
    "RoundCompletion",
    "SearchDocument",
    "SearchKind",
    "SearchSource",
    "Section",
    "SectionState",
    "SectionVisit",
    "Sector",
    "User",
    "Version",
    "VersionPurpose",
    "VersionSection",
]
