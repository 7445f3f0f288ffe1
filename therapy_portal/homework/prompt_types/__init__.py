"""Prompt types for homework templates, one small class per type, registered by name.

Importing this package registers every built-in type in ``PROMPT_TYPES``. The public API lives in
``therapy_portal.homework.prompts``.
"""

from __future__ import annotations

from therapy_portal.homework.prompt_types import choice, date, number, numeric, photo, text
from therapy_portal.homework.prompt_types.base import PROMPT_TYPES, PromptType

__all__ = ["PROMPT_TYPES", "PromptType", "choice", "date", "number", "numeric", "photo", "text"]
