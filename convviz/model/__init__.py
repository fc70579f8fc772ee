"""What the user is looking at, in plain Python: state, presets, lessons, files.

No Qt here: the GUI renders this layer and turns gestures into calls on it,
so all of its logic is tested without a display.
"""

from .events import Event
from .session import LIMITS, Options, Session
from .values import ValueProblem, format_number, parse_block, parse_number

__all__ = [
    "LIMITS",
    "Event",
    "Options",
    "Session",
    "ValueProblem",
    "format_number",
    "parse_block",
    "parse_number",
]
