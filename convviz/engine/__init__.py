"""The computing core of convviz: numpy and numba only, never Qt.

Pure functions on arrays; inputs are validated here with messages a student
can act on, then handed to compiled loops cached on disk.
"""

from ._jit import never_wait_in_this_thread
from ._warm import warm_up
from .correlate import (
    Geometry,
    WindowStep,
    WindowSteps,
    conv2d,
    corr2d,
    corr_matrix,
    geometry,
    get_num_threads,
    output_shape,
    set_num_threads,
    window_steps,
)
from .learn import (
    Diverged,
    KernelTrainer,
    TrainResult,
    bias_grad,
    kernel_grad,
    loss_value,
    train_kernel,
)

__all__ = [
    "Diverged",
    "Geometry",
    "KernelTrainer",
    "TrainResult",
    "WindowStep",
    "WindowSteps",
    "bias_grad",
    "conv2d",
    "corr2d",
    "corr_matrix",
    "geometry",
    "get_num_threads",
    "kernel_grad",
    "loss_value",
    "never_wait_in_this_thread",
    "output_shape",
    "set_num_threads",
    "train_kernel",
    "warm_up",
    "window_steps",
]
