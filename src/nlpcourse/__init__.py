"""Helper package of the hands-on NLP course: setup, data, checkpoints, plots and exercise checkers."""

from nlpcourse.core import CourseEnv, pick_device, setup
from nlpcourse.plans import TrainingPlan, training_plan
from nlpcourse.precision import Precision, WeightsDtype, choose_dtype, choose_precision

__all__ = [
    "CourseEnv", "Precision", "TrainingPlan", "WeightsDtype", "choose_dtype", "choose_precision",
    "pick_device", "setup", "training_plan",
]
__version__ = "0.1.0"
