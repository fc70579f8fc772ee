"""Launch convviz from a checkout: ``python main.py [--lesson 6.2] [--fullscreen] ...``.

Installed, the ``convviz`` command does the same; ``--help`` lists the options.
"""

from convviz.gui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
