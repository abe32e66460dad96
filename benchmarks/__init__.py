"""Reproducible performance measurements (printed figures, never timed assertions)."""
