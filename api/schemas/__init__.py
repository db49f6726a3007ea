"""Request and response models (pydantic lives only here and in settings)."""
