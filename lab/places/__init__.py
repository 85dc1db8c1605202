"""Places where people take part without a smartphone (front desks, France Services…)."""

__all__: list[str] = []
