"""IOC-EDU: operations centre for a provincial Department of Education and Training."""

__version__ = "0.1.0"
