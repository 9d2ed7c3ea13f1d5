"""Typed SQLAlchemy models, one module per aggregate."""

from catalogue.models.accounts import (
    ApiToken,
    RequestCount,
    Role,
    SignInThrottle,
    User,
    WebSession,
)
from catalogue.models.authorities import (
    AUTHORITY_MODELS,
    Agent,
    AgentKind,
    Collection,
    Location,
    LocationKind,
    Place,
    Term,
    Vocabulary,
)
from catalogue.models.background import BackgroundJob, JobStatus
from catalogue.models.base import Base
from catalogue.models.batches import Batch, BatchItem
from catalogue.models.history import ChangeEvent, ChangeLogEntry, ObjectVersion, Tombstone
from catalogue.models.imports import ImportJob, ImportStatus
from catalogue.models.media import Media
from catalogue.models.oai import OaiPayload
from catalogue.models.objects import (
    CatalogueObject,
    Condition,
    ConditionCheck,
    Movement,
    ObjectAgent,
    ObjectCollection,
    ObjectMaker,
    ObjectPlace,
    ObjectRelation,
    ObjectTerm,
    Relation,
    Status,
    TermField,
)
from catalogue.models.sets import ObjectSet, SetMember, SetVersion, Visibility

__all__ = [
    "Batch",
    "BatchItem",
    "AUTHORITY_MODELS",
    "Agent",
    "AgentKind",
    "ApiToken",
    "BackgroundJob",
    "Base",
    "CatalogueObject",
    "ChangeEvent",
    "ChangeLogEntry",
    "Collection",
    "Condition",
    "ConditionCheck",
    "Location",
    "LocationKind",
    "ImportJob",
    "ImportStatus",
    "JobStatus",
    "Media",
    "Movement",
    "OaiPayload",
    "ObjectAgent",
    "ObjectCollection",
    "ObjectMaker",
    "ObjectPlace",
    "ObjectRelation",
    "ObjectSet",
    "ObjectTerm",
    "ObjectVersion",
    "Place",
    "Relation",
    "RequestCount",
    "Role",
    "SetMember",
    "SetVersion",
    "SignInThrottle",
    "Status",
    "Term",
    "TermField",
    "Tombstone",
    "User",
    "Visibility",
    "Vocabulary",
    "WebSession",
]
