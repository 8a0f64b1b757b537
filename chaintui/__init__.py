"""chaintui: diagnose and repair broken Alembic migration chains."""

__version__ = "0.1.0"
