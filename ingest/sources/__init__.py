"""Where returns come from: one module per source (files today; school-management APIs later)."""
