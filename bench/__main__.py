"""``python -m bench``: generate the data, serve it, load it, write ``bench/RESULTS.md``."""

from bench.cli import main

raise SystemExit(main())
