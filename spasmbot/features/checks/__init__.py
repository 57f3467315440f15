"""Guided checks: YAML graphs of questions and answer buttons that end in an outcome.

``model`` parses one check file, ``validate`` checks the graph and its links, ``engine`` moves a run
through a check and owns the ``k:`` callback data, ``screens`` turns it all into Screens.
"""
