"""Launch convviz: ``python main.py [--fullscreen] [--zoom 150] [--lesson 6.2]``."""

from convviz.gui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
