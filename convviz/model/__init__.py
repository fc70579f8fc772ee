"""What the user is looking at, in plain Python: state, presets, lessons, files.

No Qt here: the GUI renders this layer and turns gestures into calls on it,
so all of its logic is tested without a display.
"""

from .edges import EdgeMap, EdgeState
from .events import Event
from .files import SessionFileError, load_session, save_session
from .learning import LearningRun, LearningSettings, LearningState, djl_edition, mxnet_edition
from .lessons import Lesson, LessonError, LessonPlayer, load_lesson
from .session import LIMITS, Options, Session
from .values import ValueProblem, format_number, parse_block, parse_number

__all__ = [
    "LIMITS",
    "EdgeMap",
    "EdgeState",
    "Event",
    "LearningRun",
    "LearningSettings",
    "LearningState",
    "Lesson",
    "LessonError",
    "LessonPlayer",
    "Options",
    "Session",
    "SessionFileError",
    "ValueProblem",
    "djl_edition",
    "format_number",
    "load_lesson",
    "load_session",
    "mxnet_edition",
    "parse_block",
    "parse_number",
    "save_session",
]
