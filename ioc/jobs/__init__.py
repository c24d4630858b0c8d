"""Long work run as jobs, each in a process of its own."""
