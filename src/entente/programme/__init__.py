"""Programme governance: the joint fund, the action plan, indicators and targets computed from
operations, six-monthly joint inspections and the joint report to ministers. Reads the other
apps only through their service functions."""
