"""The national upper-secondary graduation exam's results (issue 20, docs/exams.md): the
catalog of subjects, combinations and councils, statistics per unit and school."""
