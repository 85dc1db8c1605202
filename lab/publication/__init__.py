"""Published results of evaluated pilots, and the city's hold on publication."""

__all__: list[str] = []
