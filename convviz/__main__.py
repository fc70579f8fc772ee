"""``python -m convviz`` launches the app, like ``python main.py``."""

from convviz.gui.app import main

raise SystemExit(main())
