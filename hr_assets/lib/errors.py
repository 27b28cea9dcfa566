"""What a person's error is, as opposed to a bug."""


class OperatorError(Exception):
    """An error a person acts on: a setting, a vendor's refusal, a missing account, a bad value. Its message is one
    line that says what is wrong and what to do (a line for each problem, when several are found at once); a command
    shows those lines and nothing else."""
