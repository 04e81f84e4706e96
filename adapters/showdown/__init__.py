"""Pokemon Showdown as an equivcheck reference: a Node driver (driver.js) behind the Adapter protocol.

`Showdown` ("showdown") is the reference; `ShowdownShadow` ("showdown-shadow") is a second,
independent process, optionally mutated, for self-checks. `ensure_installed` is the setup step.
"""

from adapters.showdown.adapter import (
    STATE_KEY,
    Showdown,
    ShowdownShadow,
    choice_string,
    derive_seeds,
    schema_fields,
)
from adapters.showdown.errors import DriverError, DriverTimeout, ReferenceProcessDied, ShowdownError
from adapters.showdown.node import NodeRuntime, ensure_installed, find_node, installed_version, pinned_version
from adapters.showdown.spaces import JointDiscrete

__all__ = [
    "STATE_KEY",
    "DriverError",
    "DriverTimeout",
    "JointDiscrete",
    "NodeRuntime",
    "ReferenceProcessDied",
    "Showdown",
    "ShowdownError",
    "ShowdownShadow",
    "choice_string",
    "derive_seeds",
    "ensure_installed",
    "find_node",
    "installed_version",
    "pinned_version",
    "schema_fields",
]
