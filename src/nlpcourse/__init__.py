"""Helper package of the hands-on NLP course: setup, data, checkpoints, plots and exercise checkers."""

from nlpcourse.core import CourseEnv, pick_device, setup

__all__ = ["CourseEnv", "pick_device", "setup"]
__version__ = "0.1.0"
