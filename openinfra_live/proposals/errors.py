"""The proposal workflow's own refusals (a refused state transition is the engine's)."""


class ProposalError(Exception):
    """A proposal operation the workflow refuses (other than a state transition)."""
