"""Alerts that somebody owns (docs/alerts.md): rules as data, their conditions in a build
and in the store, the reconciliation into alerts, and their delivery."""
