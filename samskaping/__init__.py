"""samskaping: survey analysis for co-creation between municipalities and social enterprises."""

__version__ = "0.1.0"
