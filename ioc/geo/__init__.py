"""Units of both schemes, the crosswalk between them, and their boundaries."""
