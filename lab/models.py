"""Every table, imported in one place for Alembic and the test scratch engines."""

from lab.assets.models import Asset
from lab.audit.models import AuditLog
from lab.auth.models import ApiKey, LoginThrottle, User
from lab.citizens.models import ConsentText, Enrollment, SignupWindow, Tester
from lab.datasets.models import Dataset, DatasetVersion
from lab.directory.models import Authority, Organization
from lab.evaluations.models import Evaluation
from lab.feedback.models import Feedback, KeepAnswer, PilotOutcome
from lab.jobs.models import Job
from lab.pilots.models import Approval, Pilot, ProtocolVersion
from lab.places.models import Place, PlacePilot
from lab.prototypes.models import Prototype
from lab.publication.models import PublicationHold
from lab.reports.models import ProblemReport
from lab.sandbox.models import AccessEvent, Grant, Measurement
from lab.street.models import StreetUse
from lab.zones.models import Zone

__all__ = [
    "AccessEvent", "ApiKey", "Approval", "Asset", "AuditLog", "Authority", "ConsentText",
    "Dataset", "DatasetVersion", "Enrollment", "Evaluation", "Feedback", "Grant", "Job",
    "KeepAnswer", "LoginThrottle", "Measurement", "Organization", "Pilot", "PilotOutcome",
    "Place", "PlacePilot", "ProblemReport", "Prototype", "ProtocolVersion", "PublicationHold",
    "SignupWindow", "StreetUse", "Tester", "User", "Zone",
]
