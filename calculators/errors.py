"""One error type for every bad input the calculators can meet.

The CLI, the browser and the generator all catch `CalculatorError` and show its
message; anything else escaping is a bug in the calculators.
"""


class CalculatorError(ValueError):
    """Bad input, said in one line that names the field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
