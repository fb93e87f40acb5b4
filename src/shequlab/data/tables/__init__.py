"""Generators of the sample tables, one module per domain; each exposes TABLES and build(ctx)."""
