"""Operator entry points: training, running, evaluating. Called from the Makefile."""
