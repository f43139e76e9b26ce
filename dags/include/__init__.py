"""Helpers shared by the DAG files; not DAGs themselves (see ../.airflowignore)."""
