"""The public directory (annuaire): organizations taking part, their prototypes and pilots."""

__all__: list[str] = []
