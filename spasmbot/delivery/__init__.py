"""The one due-delivery mechanism, Telegram-free: the ``schedule``/``deliveries`` tables (``schedule``),
claiming due rows exactly once (``claims``) and the local-time maths of daily slots (``localtime``).

The Telegram side (the recurring job that sends what was claimed) is ``spasmbot.edge.delivery_job``.
"""
