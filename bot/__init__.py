"""The framework-free core: settings, content, language, dialogue decisions, models. No Rasa imports."""
