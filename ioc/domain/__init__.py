"""Pure values every layer shares (periods, units, formats): no database, no I/O."""
