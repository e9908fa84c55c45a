"""The exportable lists. Importing the package registers every dataset in `base.REGISTRY`, in the order
the export page offers them: money first, then projects, factories, partnerships, training, companies
and the access log."""

# isort: off
from exports.datasets import ledger  # noqa: F401
from exports.datasets import funding  # noqa: F401
from exports.datasets import applications  # noqa: F401
from exports.datasets import factories  # noqa: F401
from exports.datasets import partners  # noqa: F401
from exports.datasets import training  # noqa: F401
from exports.datasets import companies  # noqa: F401
from exports.datasets import access_log  # noqa: F401
# isort: on
