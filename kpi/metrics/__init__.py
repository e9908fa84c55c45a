"""The metric modules; importing this package registers every metric (see kpi.registry), in display
order."""

from kpi.metrics import (  # noqa: F401 - imported to register
    complexes,
    deployments,
    funnel,
    money,
    outcomes,
    partners,
    quality,
    training,
)
