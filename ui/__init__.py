"""The explorer's pages (one module per page) and their shared helpers.

Takes: a ``GraphStore`` through ``ui.common``. Gives: ``render()`` in every page module, wired
into ``st.navigation`` by ``ui.nav`` and ``app.py``.
"""
