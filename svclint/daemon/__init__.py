"""``svclint daemon``: svclint kept loaded between checks (``service``), and the console
script's side of it (``client``), speaking ``protocol``. docs/daemon.md is the user's guide."""
