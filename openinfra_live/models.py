"""Imports every model so that SQLAlchemy's registry and Alembic see the whole schema."""

from openinfra_live.audit import AuditEntry
from openinfra_live.auth.models import User
from openinfra_live.caching.version import ContentVersion
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.outbox import OutboxMail
from openinfra_live.proposals.models import Proposal, ProposalGuest, ProposalHistory
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, PtgTeamHistory, Room
from openinfra_live.questions.models import Question, QuestionHistory

__all__ = [
    "AuditEntry",
    "ContentVersion",
    "Episode",
    "EpisodeGuest",
    "EpisodeLink",
    "OutboxMail",
    "Proposal",
    "ProposalGuest",
    "ProposalHistory",
    "PtgEvent",
    "PtgSession",
    "PtgTeam",
    "PtgTeamHistory",
    "Question",
    "QuestionHistory",
    "Room",
    "User",
]
