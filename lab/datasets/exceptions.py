"""Errors of the datasets package, mapped to problem+json by `lab.errors` like every LabError.

    LabError (lab.exceptions)
    └── UploadTooLarge      413 upload-too-large (names the limit)
"""

from __future__ import annotations

from lab.exceptions import LabError


class UploadTooLarge(LabError):
    status, title, problem_type = 413, "Upload too large", "upload-too-large"


__all__ = ["UploadTooLarge"]
