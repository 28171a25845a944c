"""Rasa NLU graph components: thin adapters over the framework-free models in `bot/`."""
