"""``svclint server``: the findings in the editor, over the Language Server Protocol.

``workspace`` keeps the files of ``svclint check ROOT`` in memory and re-checks one edited
file quickly; ``protocol`` turns findings into diagnostics, code actions and hovers;
``lsp`` is the pygls server (pygls is the optional ``server`` extra).
"""
