"""Datasets of the catalog: metadata owned by an authority, and immutable versions stored as
sorted Parquet in the object store (`service` for metadata and reads, `versions` for uploads,
their conversion job and previews)."""
