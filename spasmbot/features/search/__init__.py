"""Typed questions: search over everything a user can read, red flags in typed words, sharing.

Telegram-free: ``words`` (how text becomes comparable words), ``index`` (the search index),
``redflags`` (warning signs in typed words), ``callbacks`` (the ``s:`` button grammar and deep-link
payloads), ``screens`` (what to show), ``store`` (anonymous helpful-vote counts). Only
``handlers`` imports telegram.
"""
