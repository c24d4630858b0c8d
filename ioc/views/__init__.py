"""Read-side queries over a published snapshot: summaries, indicators, quality reports."""
