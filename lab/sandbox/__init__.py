"""The sandbox: grants of scoped, expiring, revocable data access; their minimized extracts;
the links and credentials that reach them; the access log; and the workspaces where startups
upload measurements.

`service` reads and revokes grants and runs the sweep, `transitions` makes and ends them as
pilots move, `builder` is the extract job (`extracts` does the work),
`access` issues links, credentials and downloads, `events` keeps the access log, and
`workspaces` with `measurements` receive measurement files.
"""

__all__ = ["access", "builder", "events", "extracts", "measurements", "models", "platform",
           "routes", "scope", "service", "snippets", "transitions", "workspaces"]
