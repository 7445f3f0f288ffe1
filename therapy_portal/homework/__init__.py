"""Homework: exercise templates, typed prompts and the built-in exercise library."""
