"""Every table, imported in one place for Alembic and the test scratch engines."""

from lab.audit.models import AuditLog
from lab.auth.models import ApiKey, LoginThrottle, User
from lab.directory.models import Authority, Organization
from lab.jobs.models import Job

__all__ = ["ApiKey", "AuditLog", "Authority", "Job", "LoginThrottle", "Organization", "User"]
