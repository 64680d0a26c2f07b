"""Use cases: one function per thing a user does, given a unit of work and a clock."""
