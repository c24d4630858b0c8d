"""Review and approval of returns: the state machine and who may act (docs/approval.md)."""
