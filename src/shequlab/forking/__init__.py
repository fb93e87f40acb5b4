"""Warm kernel fork-server, shared by the grader and the app server (imports neither)."""
