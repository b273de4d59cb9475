"""``svclint report``: one self-contained HTML file (no network, no CDN) a person opens to
see the findings and the reachability of the app. ``data.py`` turns a run into plain JSON,
``page.py`` wraps it with the page's CSS and script (``assets/``)."""
