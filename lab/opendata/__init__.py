"""Open data: a DCAT catalog of the datasets marked `open`, and their downloads."""

__all__: list[str] = []
