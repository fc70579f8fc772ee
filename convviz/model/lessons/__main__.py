"""``python -m convviz.model.lessons``: every slide field with its help, for lesson authors."""

from . import help_text

print(help_text())
