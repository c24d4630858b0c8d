"""The ``ioc`` command."""
