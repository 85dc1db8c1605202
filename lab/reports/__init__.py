"""Problem reports (signalements) on a pilot's assets, routed to the owning authority."""

__all__: list[str] = []
