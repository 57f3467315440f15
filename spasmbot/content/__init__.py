"""Health content: the YAML model (``model``), its loader (``loader``) and validator (``validate``).

Knows nothing of Telegram. Import what you need from its modules (``spasmbot.content.loader.load_content``,
``spasmbot.content.model.Content``): this package file imports nothing, so reading one part never
loads the loader and the validator with it (and no import cycle can run through it).
"""
